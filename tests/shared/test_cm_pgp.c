/*++
 * NAME
 *	test_cm_pgp 1
 * SUMMARY
 *	cmocka tests for the encryption gate's checker
 * DESCRIPTION
 *	Table-driven: each case is a whole message (header fields, then
 *	body) with one placeholder "@ARMOR@" for an armored OpenPGP
 *	message built by the test (packets with random bodies, or a real
 *	gpg message), plus mode, envelope and the expected verdict and
 *	reason. Each case runs with LF and with CRLF line ends, and with
 *	its body fed whole, one byte at a time and cut at random places
 *	(three seeds). Then the API edges and the From address helpers
 *	(CRC24: test_cm_pgp_armor.c, MIME helpers: test_cm_pgp_mime.c).
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_pgp.h"
#include "cm_pgp_armor.h"

#define MSG_MAX		(256 * 1024)
#define BIN_MAX		(64 * 1024)

/* A real message: gpg 2.2.40, one rsa2048 and one cv25519 recipient. */
static const char gpg_armor[] =
"-----BEGIN PGP MESSAGE-----\n"
"\n"
"hQEMAxxgQ62AuDsuAQf/Rr9G/SX+ewxhVVoQ1Tab2YDBiofK7zLb0UPL9yQJ1LA0\n"
"bK7DjcJ6vYgAgVjSfutuXsIPlygGLMZedeOs0GYXbg2ERPVZfo5M3UYrSI5l3AFz\n"
"Uj0kOwikJZFnOKvIywZ1RNDhxzwmrRMj4CzZGHEIenyEWbWiqH5CcS1xjMBEopYo\n"
"q2G50lKemjFLPtmTiWpYMwkMqjtQwYJAKS4ElIOJJIabe8zllONHDyK0tnKhThn7\n"
"PnVJCgN/eWemGrEbBUJEZCleCt/O7tLbXiMVg9RecO8E7XFKle/sbbjag8afd0hq\n"
"HLHc8F0+IdY3G342m/P54nFH0fna8f3ALuLxwN15BoReA/bnVQ4m5ctVEgEHQNxa\n"
"hMOCIAbY4wyCVBIyzv5MVY0l8qcmPTFDlrvp0bBpMCoRMwVX9eogrGnWco5tVg82\n"
"jf+uRcqTxmnGU70Pe2AWv7LpbgiBXGIzdeqgn5VSW9JBAejB3MxE6WNnsqws9TpB\n"
"q1BcxAD2lmoQSq5w4g4NxNH8JCxHxt0+8MXEUU5Ox3Ofc/tiLZoRAay0+AeQJ/YZ\n"
"Whg=\n"
"=9D/H\n"
"-----END PGP MESSAGE-----";

/* Packet header formats for the built armors. */
enum pk_fmt {
	PK_NEW, PK_NEW5, PK_OLD1, PK_OLD2, PK_OLD4, PK_OLD_INDET,
	PK_PARTIAL9, PK_PARTIAL_SMALL,
};

struct pk_spec {
	int     tag;			/* 0 ends the list */
	size_t  len;
	enum pk_fmt fmt;
};

/* The armors a case can ask for. */
enum armor_kind {
	A_GOOD,				/* PKESK(old) + SEIPD(new), CRC */
	A_REAL,				/* gpg_armor */
	A_NOCRC, A_BADCRC, A_BADCRC_LINE, A_VERSION, A_COMMENT,
	A_BADHDR, A_NOBLANK, A_SKESK, A_MULTI, A_NEW5, A_OLD4,
	A_PARTIAL, A_PARTIAL_SMALL, A_PARTIAL_PKESK, A_ONLY_SEIPD,
	A_TRAILING, A_TWO_SEIPD, A_AEAD, A_SED, A_LITERAL, A_SIGNED,
	A_INDET, A_TRUNC_PACKET, A_NO_SEIPD, A_EMPTY, A_BAD_CTB,
	A_ODD_LINES, A_BAD_B64, A_PAD_MID, A_BLANK_IN, A_NO_END,
	A_TEXT_AFTER, A_TEXT_BEFORE, A_SIGNATURE_ARMOR, A_BIG, A_COMPRESSED,
	A_LINE1024,
};

struct pgp_case {
	const char *name;
	enum cm_pgp_mode mode;
	const char *mail_from;
	const char *rcpt;		/* one recipient, NULL = two */
	enum armor_kind armor;
	const char *msg;		/* "@ARMOR@" is replaced */
	enum cm_pgp_verdict verdict;
	const char *reason;
};

#define IN	CM_PGP_INCOMING
#define OUT	CM_PGP_OUTGOING
#define ENC	CM_PGP_ENCRYPTED
#define EXC	CM_PGP_EXCEPTION
#define REF	CM_PGP_REFUSED

#define HDR \
	"From: Alice <alice@example.org>\n" \
	"To: bob@example.net\n" \
	"Subject: ...\n" \
	"MIME-Version: 1.0\n"
#define CT_ENC \
	"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\n" \
	" boundary=\"XyZ\"\n"
#define PART1 \
	"--XyZ\n" \
	"Content-Type: application/pgp-encrypted\n" \
	"Content-Description: PGP/MIME version identification\n" \
	"\n" \
	"Version: 1\n" \
	"\n"
#define PART2_HDR \
	"--XyZ\n" \
	"Content-Type: application/octet-stream; name=\"encrypted.asc\"\n" \
	"Content-Disposition: inline; filename=\"encrypted.asc\"\n" \
	"\n"
#define ENC_MSG(before, after) \
	HDR CT_ENC "\n" "This is an OpenPGP/MIME encrypted message\n" PART1 \
	PART2_HDR before "@ARMOR@\n" after "--XyZ--\n"
#define STD	ENC_MSG("", "")

#define SJ_MSG(hval, body) \
	HDR "Secure-Join: " hval "\n" \
	"Content-Type: multipart/mixed; boundary=\"sj\"\n\n" \
	"--sj\nContent-Type: text/plain; charset=utf-8\n\n" body "\n--sj--\n"

#define ASM_MSG "From: <alice@example.org>\n" ASM_MSG_REST
#define ASM_MSG_REST \
	"To: <alice@example.org>\n" \
	"Subject: Autocrypt Setup Message\nAutocrypt-Setup-Message: v1\n" \
	"Content-Type: multipart/mixed; boundary=\"m\"\n\n" \
	"--m\nContent-Type: text/plain\n\nThis is the setup message.\n" \
	"--m\nContent-Type: application/autocrypt-setup\n\n" \
	"-----BEGIN PGP MESSAGE-----\nPassphrase-Format: numeric9x4\n" \
	"\nsecret\n-----END PGP MESSAGE-----\n--m--\n"

/* A display name that makes a From value of over 256 octets */
#define LONG_NAME \
	"\"Alice Example Alice Example Alice Example Alice Example " \
	"Alice Example Alice Example Alice Example Alice Example " \
	"Alice Example Alice Example Alice Example Alice Example " \
	"Alice Example Alice Example Alice Example Alice Example " \
	"Alice Example Alice Example Alice Example Alice Example \""

#define BOUNCE_FROM "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n"
#define BOUNCE_BODY \
	"--rep\nContent-Type: text/plain\n\nI'm sorry to have to inform you.\n" \
	"--rep\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n" \
	"--rep--\n"
#define BOUNCE_CT \
	"Content-Type: multipart/report; report-type=delivery-status;\n" \
	"\tboundary=\"rep\"\n"

static const struct pgp_case cases[] = {
	/* Valid encrypted messages. */
	{"good", OUT, "alice@example.org", NULL, A_GOOD, STD, ENC, "encrypted"},
	{"good incoming", IN, "alice@example.org", NULL, A_GOOD, STD, ENC,
	"encrypted"},
	{"real gpg", OUT, "a@x.org", NULL, A_REAL, STD, ENC, "encrypted"},
	{"no CRC line", OUT, "a@x.org", NULL, A_NOCRC, STD, ENC, "encrypted"},
	{"SKESK", OUT, "a@x.org", NULL, A_SKESK, STD, ENC, "encrypted"},
	{"many recipients", OUT, "a@x.org", NULL, A_MULTI, STD, ENC,
	"encrypted"},
	{"new 5-octet lengths", OUT, "a@x.org", NULL, A_NEW5, STD, ENC,
	"encrypted"},
	{"old 4-octet lengths", OUT, "a@x.org", NULL, A_OLD4, STD, ENC,
	"encrypted"},
	{"partial lengths", OUT, "a@x.org", NULL, A_PARTIAL, STD, ENC,
	"encrypted"},
	{"small first partial (not enforced)", OUT, "a@x.org", NULL,
	A_PARTIAL_SMALL, STD, ENC, "encrypted"},
	{"SEIPD alone", OUT, "a@x.org", NULL, A_ONLY_SEIPD, STD, ENC,
	"encrypted"},
	{"odd base64 line lengths", OUT, "a@x.org", NULL, A_ODD_LINES, STD,
	ENC, "encrypted"},
	{"Comment header", OUT, "a@x.org", NULL, A_COMMENT, STD, ENC,
	"encrypted"},
	{"Version header incoming", IN, "a@x.org", NULL, A_VERSION, STD, ENC,
	"encrypted"},
	{"big SEIPD", OUT, "a@x.org", NULL, A_BIG, STD, ENC, "encrypted"},
	{"whitespace around armor", OUT, "a@x.org", NULL, A_GOOD,
	ENC_MSG("\n  \n", "\n\t\n"), ENC, "encrypted"},
	{"no preamble, blank epilogue", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 PART2_HDR "@ARMOR@\n--XyZ--\n\n  \n", ENC,
	"encrypted"},
	{"close delimiter without final newline", OUT, "a@x.org", NULL,
	A_GOOD, HDR CT_ENC "\n" PART1 PART2_HDR "@ARMOR@\n--XyZ--", ENC,
	"encrypted"},
	{"case-insensitive types, unquoted boundary", OUT, "a@x.org", NULL,
	A_GOOD, HDR "content-type: Multipart/Encrypted; BOUNDARY=XyZ;"
	" Protocol=\"Application/PGP-Encrypted\" (comment)\n\n"
	"--XyZ\nCONTENT-TYPE: Application/PGP-Encrypted\n\n  Version: 1  \n"
	"--XyZ\ncontent-type: APPLICATION/octet-stream\n"
	"Content-Transfer-Encoding: 7bit\n\n@ARMOR@\n--XyZ--\n", ENC,
	"encrypted"},
	{"folded part header", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 "--XyZ\nContent-Type:\n application/octet-stream;\n"
	"\tname=\"encrypted.asc\"\n\n@ARMOR@\n--XyZ--\n", ENC, "encrypted"},
	{"transport padding after delimiters", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n--XyZ \t\nContent-Type: application/pgp-encrypted\n\n"
	"Version: 1\n--XyZ\t\n" "Content-Type: application/octet-stream\n\n"
	"@ARMOR@\n--XyZ-- \n", ENC, "encrypted"},
	{"long preamble line", OUT, "a@x.org", NULL, A_GOOD, "@LONGPRE@", ENC,
	"encrypted"},

	/* Structure tricks. */
	{"plaintext", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: text/plain\n\nhello\n", REF,
	"not multipart/encrypted"},
	{"no Content-Type", OUT, "a@x.org", NULL, A_GOOD, HDR "\nhello\n",
	REF, "not multipart/encrypted"},
	{"plaintext with armor block", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: text/plain\n\n@ARMOR@\n", REF,
	"not multipart/encrypted"},
	{"multipart/mixed with armor part", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: multipart/mixed; boundary=XyZ\n\n" PART1 PART2_HDR
	"@ARMOR@\n--XyZ--\n", REF, "not multipart/encrypted"},
	{"duplicate Content-Type", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: text/plain\n" CT_ENC "\n" PART1 PART2_HDR
	"@ARMOR@\n--XyZ--\n", REF, "duplicate Content-Type"},
	{"bad Content-Type", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: multipart\n\nx\n", REF, "bad Content-Type"},
	{"no protocol", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: multipart/encrypted; boundary=XyZ\n\n" PART1
	PART2_HDR "@ARMOR@\n--XyZ--\n", REF,
	"protocol not application/pgp-encrypted"},
	{"wrong protocol", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: multipart/encrypted; boundary=XyZ;"
	" protocol=\"application/pkcs7-mime\"\n\n" PART1 PART2_HDR
	"@ARMOR@\n--XyZ--\n", REF, "protocol not application/pgp-encrypted"},
	{"no boundary", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: multipart/encrypted;"
	" protocol=\"application/pgp-encrypted\"\n\n" PART1 PART2_HDR
	"@ARMOR@\n--XyZ--\n", REF, "missing boundary"},
	{"RFC 2231 boundary", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Content-Type: multipart/encrypted;"
	" protocol=\"application/pgp-encrypted\"; boundary*0=XyZ\n\n" PART1
	PART2_HDR "@ARMOR@\n--XyZ--\n", REF, "RFC 2231 boundary or protocol"},
	{"part 2 missing (close)", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 "--XyZ--\n", REF, "part 2 missing"},
	{"part 2 missing (end of body)", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1, REF, "part 2 missing"},
	{"no parts at all", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\nsomething\n", REF, "part 1 missing"},
	{"close before any part", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n--XyZ--\n", REF, "part 1 missing"},
	{"third part", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 PART2_HDR "@ARMOR@\n--XyZ\n"
	"Content-Type: text/plain\n\nhello in clear\n--XyZ--\n", REF,
	"third part"},
	{"wrong part order", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART2_HDR "@ARMOR@\n" PART1 "--XyZ--\n", REF,
	"part 1 not application/pgp-encrypted"},
	{"part 1 without Content-Type", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n--XyZ\n\nVersion: 1\n" PART2_HDR "@ARMOR@\n--XyZ--\n",
	REF, "part 1 not application/pgp-encrypted"},
	{"part 1 Version: 2", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n--XyZ\nContent-Type: application/pgp-encrypted\n\n"
	"Version: 2\n" PART2_HDR "@ARMOR@\n--XyZ--\n", REF,
	"part 1 not Version: 1"},
	{"part 1 with extra text", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n--XyZ\nContent-Type: application/pgp-encrypted\n\n"
	"Version: 1\nhello\n" PART2_HDR "@ARMOR@\n--XyZ--\n", REF,
	"part 1 not Version: 1"},
	{"part 1 empty", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n--XyZ\nContent-Type: application/pgp-encrypted\n\n"
	PART2_HDR "@ARMOR@\n--XyZ--\n", REF, "part 1 not Version: 1"},
	{"part 2 text/plain", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 "--XyZ\nContent-Type: text/plain\n\n@ARMOR@\n"
	"--XyZ--\n", REF, "part 2 not application/octet-stream"},
	{"part 2 base64 transfer encoding", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 "--XyZ\nContent-Type: application/octet-stream\n"
	"Content-Transfer-Encoding: base64\n\n@ARMOR@\n--XyZ--\n", REF,
	"part transfer encoding not 7bit/8bit"},
	{"duplicate part Content-Type", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 "--XyZ\nContent-Type: application/octet-stream\n"
	"Content-Type: text/plain\n\n@ARMOR@\n--XyZ--\n", REF,
	"duplicate part Content-Type"},
	{"bad part header", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 "--XyZ\nnot a header\n\n@ARMOR@\n--XyZ--\n",
	REF, "bad part header"},
	{"missing close delimiter", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 PART2_HDR "@ARMOR@\n", REF,
	"missing close delimiter"},
	{"text in epilogue", OUT, "a@x.org", NULL, A_GOOD,
	STD "hello in clear\n", REF, "text after close delimiter"},
	{"ambiguous boundary line", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 PART2_HDR "@ARMOR@\n--XyZzy\n--XyZ--\n", REF,
	"ambiguous boundary line"},
	{"overlong armor line", OUT, "a@x.org", NULL, A_GOOD, "@LONGARMOR@",
	REF, "line too long"},

	/* Armor tricks. */
	{"bad CRC24", OUT, "a@x.org", NULL, A_BADCRC, STD, REF, "bad CRC24"},
	{"bad CRC24 line", OUT, "a@x.org", NULL, A_BADCRC_LINE, STD, REF,
	"bad CRC24 line"},
	{"Version header outgoing", OUT, "a@x.org", NULL, A_VERSION, STD,
	REF, "armor Version header"},
	{"bad armor header", OUT, "a@x.org", NULL, A_BADHDR, STD, REF,
	"bad armor header line"},
	{"no blank line after BEGIN", OUT, "a@x.org", NULL, A_NOBLANK, STD,
	REF, "bad armor header line"},
	{"bad base64", OUT, "a@x.org", NULL, A_BAD_B64, STD, REF,
	"bad base64 character"},
	{"padding in the middle", OUT, "a@x.org", NULL, A_PAD_MID, STD, REF,
	"base64 data after padding"},
	{"blank line inside armor", OUT, "a@x.org", NULL, A_BLANK_IN, STD,
	REF, "blank line in armor"},
	{"truncated armor (no END)", OUT, "a@x.org", NULL, A_NO_END, STD,
	REF, "truncated armor"},
	{"truncated armor, blank line before delimiter", OUT, "a@x.org", NULL,
	A_NO_END, ENC_MSG("", "\n \n"), REF, "truncated armor"},
	{"blank line before END", OUT, "a@x.org", NULL, A_GOOD,
	"@BLANKEND@", REF, "blank line in armor"},
	{"text after armor", OUT, "a@x.org", NULL, A_TEXT_AFTER, STD, REF,
	"text after armor"},
	{"text before armor", OUT, "a@x.org", NULL, A_TEXT_BEFORE, STD, REF,
	"text before armor"},
	{"signature armor", OUT, "a@x.org", NULL, A_SIGNATURE_ARMOR, STD,
	REF, "not a PGP MESSAGE armor"},
	{"empty part 2", OUT, "a@x.org", NULL, A_GOOD,
	HDR CT_ENC "\n" PART1 PART2_HDR "--XyZ--\n", REF,
	"no armor in part 2"},

	/* Packet tricks. */
	{"trailing packet after SEIPD", OUT, "a@x.org", NULL, A_TRAILING, STD,
	REF, "SEIPD followed by trailing data"},
	{"two SEIPD", OUT, "a@x.org", NULL, A_TWO_SEIPD, STD, REF,
	"SEIPD followed by trailing data"},
	{"AEAD packet", OUT, "a@x.org", NULL, A_AEAD, STD, REF,
	"AEAD packet (tag 20) not allowed"},
	{"SED packet", OUT, "a@x.org", NULL, A_SED, STD, REF,
	"SED packet (tag 9) without integrity protection"},
	{"literal packet", OUT, "a@x.org", NULL, A_LITERAL, STD, REF,
	"literal data packet (not encrypted)"},
	{"signed only", OUT, "a@x.org", NULL, A_SIGNED, STD, REF,
	"one-pass signature packet (not encrypted)"},
	{"compressed, indeterminate length (gpg -s)", OUT, "a@x.org", NULL,
	A_COMPRESSED, STD, REF, "compressed data packet (not encrypted)"},
	{"old indeterminate length", OUT, "a@x.org", NULL, A_INDET, STD, REF,
	"old-format indeterminate packet length"},
	{"partial length on PKESK", OUT, "a@x.org", NULL, A_PARTIAL_PKESK, STD,
	REF, "partial length on a non-SEIPD packet"},
	{"truncated packet", OUT, "a@x.org", NULL, A_TRUNC_PACKET, STD, REF,
	"truncated OpenPGP packet"},
	{"no SEIPD", OUT, "a@x.org", NULL, A_NO_SEIPD, STD, REF,
	"no SEIPD packet"},
	{"empty armor", OUT, "a@x.org", NULL, A_EMPTY, STD, REF,
	"no OpenPGP packets"},
	{"bad packet header", OUT, "a@x.org", NULL, A_BAD_CTB, STD, REF,
	"bad OpenPGP packet header"},

	/* Secure-Join. */
	{"secure-join vc", OUT, "a@x.org", NULL, A_GOOD,
	SJ_MSG("vc-request", "secure-join: vc-request"), EXC,
	"secure-join request"},
	{"secure-join vg incoming, case and blanks", IN, "a@x.org", NULL,
	A_GOOD, SJ_MSG(" VG-Request ", "\n  Secure-Join: VG-REQUEST  \n"),
	EXC, "secure-join request"},
	{"secure-join different body", OUT, "a@x.org", NULL, A_GOOD,
	SJ_MSG("vc-request", "hello, this is in clear"), REF,
	"secure-join body mismatch"},
	{"secure-join other value in body", OUT, "a@x.org", NULL, A_GOOD,
	SJ_MSG("vc-request", "secure-join: vg-request"), REF,
	"secure-join body mismatch"},
	{"secure-join extra line", OUT, "a@x.org", NULL, A_GOOD,
	SJ_MSG("vc-request", "secure-join: vc-request\nmore"), REF,
	"secure-join body mismatch"},
	{"secure-join vc-auth", OUT, "a@x.org", NULL, A_GOOD,
	SJ_MSG("vc-auth-required", "secure-join: vc-auth-required"), REF,
	"Secure-Join not vc-request or vg-request"},
	{"secure-join two parts", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Secure-Join: vc-request\nContent-Type: multipart/mixed; boundary=sj\n\n"
	"--sj\nContent-Type: text/plain\n\nsecure-join: vc-request\n"
	"--sj\nContent-Type: text/plain\n\nhello in clear\n--sj--\n", REF,
	"secure-join with more than one part"},
	{"secure-join html part", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Secure-Join: vc-request\nContent-Type: multipart/mixed; boundary=sj\n\n"
	"--sj\nContent-Type: text/html\n\nsecure-join: vc-request\n--sj--\n",
	REF, "secure-join part not text/plain"},
	{"secure-join top-level text/plain", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Secure-Join: vc-request\nContent-Type: text/plain\n\n"
	"secure-join: vc-request\n", REF, "secure-join not multipart/mixed"},
	{"secure-join base64 part", OUT, "a@x.org", NULL, A_GOOD,
	HDR "Secure-Join: vc-request\nContent-Type: multipart/mixed; boundary=sj\n\n"
	"--sj\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
	"c2VjdXJlLWpvaW46IHZjLXJlcXVlc3Q=\n--sj--\n", REF,
	"part transfer encoding not 7bit/8bit"},
	{"secure-join epilogue text", OUT, "a@x.org", NULL, A_GOOD,
	SJ_MSG("vc-request", "secure-join: vc-request") "clear text\n", REF,
	"text after close delimiter"},

	/* Autocrypt Setup Message. */
	{"autocrypt setup to self", OUT, "alice@example.org",
	"Alice@Example.org", A_GOOD, ASM_MSG, EXC, "autocrypt setup message"},
	{"autocrypt setup to someone else", OUT, "alice@example.org",
	"bob@example.net", A_GOOD, ASM_MSG, REF,
	"autocrypt setup message not to oneself"},
	{"autocrypt setup to self and another", OUT, "alice@example.org",
	NULL, A_GOOD, ASM_MSG, REF, "autocrypt setup message not to oneself"},
	{"autocrypt setup incoming", IN, "alice@example.org",
	"alice@example.org", A_GOOD, ASM_MSG, REF,
	"autocrypt setup message on incoming mail"},
	{"autocrypt setup From not sender", OUT, "mallory@example.org",
	"mallory@example.org", A_GOOD, ASM_MSG, REF,
	"autocrypt setup message not to oneself"},
	/* The From value is parsed when an exception needs it: a short one
	 * later, one of 256 octets or more at once. */
	{"autocrypt setup to self, From of 300 octets", OUT,
	"alice@example.org", "alice@example.org", A_GOOD,
	"From: " LONG_NAME " <alice@example.org>\n" ASM_MSG_REST, EXC,
	"autocrypt setup message"},
	{"autocrypt setup to self, From of 300 octets, two From", OUT,
	"alice@example.org", "alice@example.org", A_GOOD,
	"From: " LONG_NAME " <alice@example.org>\nFrom: alice@example.org\n"
	ASM_MSG_REST, REF, "autocrypt setup message not to oneself"},
	{"autocrypt setup to self, two From", OUT, "alice@example.org",
	"alice@example.org", A_GOOD,
	"From: alice@example.org\nFrom: alice@example.org\n" ASM_MSG_REST, REF,
	"autocrypt setup message not to oneself"},
	{"autocrypt setup text/plain", OUT, "alice@example.org",
	"alice@example.org", A_GOOD,
	"From: alice@example.org\nAutocrypt-Setup-Message: v1\n"
	"Content-Type: text/plain\n\nhello\n", REF,
	"autocrypt setup message not multipart/mixed"},

	/* Bounces. */
	{"bounce null sender", IN, "", "bob@example.org", A_GOOD,
	BOUNCE_FROM "Auto-Submitted: auto-replied\n" BOUNCE_CT "\n"
	BOUNCE_BODY, EXC, "mailer-daemon bounce"},
	{"bounce mailer-daemon sender", IN, "mailer-daemon@mx.example.net",
	"bob@example.org", A_GOOD,
	BOUNCE_FROM "Auto-Submitted: auto-generated\n" BOUNCE_CT "\n"
	BOUNCE_BODY, EXC, "mailer-daemon bounce"},
	{"forged bounce text/plain", IN, "", "bob@example.org", A_GOOD,
	BOUNCE_FROM "Auto-Submitted: auto-replied\n"
	"Content-Type: text/plain\n\nbuy now\n", REF,
	"bounce not multipart/report"},
	{"bounce without Auto-Submitted", IN, "", "bob@example.org", A_GOOD,
	BOUNCE_FROM BOUNCE_CT "\n" BOUNCE_BODY, REF,
	"bounce without Auto-Submitted"},
	{"bounce Auto-Submitted: no", IN, "", "bob@example.org", A_GOOD,
	BOUNCE_FROM "Auto-Submitted: no\n" BOUNCE_CT "\n" BOUNCE_BODY, REF,
	"bounce without Auto-Submitted"},
	{"bounce outgoing", OUT, "mailer-daemon@example.org",
	"bob@example.net", A_GOOD,
	"From: mailer-daemon@example.org\nAuto-Submitted: auto-replied\n"
	BOUNCE_CT "\n" BOUNCE_BODY, REF, "bounce on outgoing mail"},
	{"bounce from a user", IN, "", "bob@example.org", A_GOOD,
	"From: eve@example.net\nAuto-Submitted: auto-replied\n" BOUNCE_CT
	"\n" BOUNCE_BODY, REF, "not multipart/encrypted"},
	{"bounce user envelope", IN, "eve@example.net", "bob@example.org",
	A_GOOD, BOUNCE_FROM "Auto-Submitted: auto-replied\n" BOUNCE_CT "\n"
	BOUNCE_BODY, REF, "bounce envelope sender not null or mailer-daemon"},
};

/* put_packet - header (fmt) and a pseudo-random body of len octets */
static size_t put_packet(unsigned char *out, const struct pk_spec *s,
			 unsigned *seed)
{
	size_t  o = 0, i, len = s->len;

	switch (s->fmt) {
	case PK_NEW:
		out[o++] = (unsigned char) (0xc0 | s->tag);
		if (len < 192) {
			out[o++] = (unsigned char) len;
		} else {
			out[o++] = (unsigned char) (((len - 192) >> 8) + 192);
			out[o++] = (unsigned char) ((len - 192) & 0xff);
		}
		break;
	case PK_NEW5:
		out[o++] = (unsigned char) (0xc0 | s->tag);
		out[o++] = 255;
		for (i = 0; i < 4; i++)
			out[o++] = (unsigned char) (len >> (24 - 8 * i));
		break;
	case PK_OLD1:
	case PK_OLD2:
	case PK_OLD4:
	case PK_OLD_INDET:
		out[o++] = (unsigned char) (0x80 | (s->tag << 2) | (s->fmt - PK_OLD1));
		for (i = 0; s->fmt != PK_OLD_INDET && i < (s->fmt == PK_OLD1 ? 1u :
				   s->fmt == PK_OLD2 ? 2u : 4u); i++)
			out[o++] = (unsigned char) (len >> (8 * ((s->fmt == PK_OLD1 ? 1 :
					 s->fmt == PK_OLD2 ? 2 : 4) - 1 - i)));
		break;
	case PK_PARTIAL9:
	case PK_PARTIAL_SMALL: {
		size_t  chunk = s->fmt == PK_PARTIAL9 ? 512 : 2;

		out[o++] = (unsigned char) (0xc0 | s->tag);
		while (len > chunk) {
			out[o++] = (unsigned char) (224 + (chunk == 512 ? 9 : 1));
			for (i = 0; i < chunk; i++)
				out[o++] = (unsigned char) rand_r(seed);
			len -= chunk;
		}
		out[o++] = (unsigned char) len;	/* < 192 in our specs */
		break;
	}
	}
	for (i = 0; i < len; i++)
		out[o++] = (unsigned char) rand_r(seed);
	return (o);
}

/* b64_line_out - base64 of bin into text, lines of width characters */
static size_t b64_out(char *text, const unsigned char *bin, size_t len,
		      size_t width)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	"0123456789+/";
	size_t  i, o = 0, col = 0;

	for (i = 0; i < len; i += 3) {
		uint32_t w = (uint32_t) bin[i] << 16;
		char    q[4];
		int     k;

		w |= i + 1 < len ? (uint32_t) bin[i + 1] << 8 : 0;
		w |= i + 2 < len ? bin[i + 2] : 0;
		q[0] = a[(w >> 18) & 63];
		q[1] = a[(w >> 12) & 63];
		q[2] = i + 1 < len ? a[(w >> 6) & 63] : '=';
		q[3] = i + 2 < len ? a[w & 63] : '=';
		for (k = 0; k < 4; k++) {
			text[o++] = q[k];
			if (++col == width) {
				text[o++] = '\n';
				col = 0;
			}
		}
	}
	if (col != 0)
		text[o++] = '\n';
	return (o);
}

/* The packet lists of the armor kinds. */
static const struct pk_spec pk_good[] = {{1, 94, PK_OLD1}, {18, 300, PK_NEW}, {0}};
static const struct pk_spec pk_skesk[] = {{3, 13, PK_NEW}, {18, 60, PK_NEW}, {0}};
static const struct pk_spec pk_multi[] = {{1, 268, PK_OLD2}, {1, 94, PK_OLD1},
{3, 13, PK_NEW}, {1, 94, PK_NEW}, {18, 70, PK_NEW}, {0}};
static const struct pk_spec pk_new5[] = {{1, 94, PK_NEW5}, {18, 70, PK_NEW5}, {0}};
static const struct pk_spec pk_old4[] = {{1, 94, PK_OLD4}, {3, 13, PK_OLD2},
{18, 70, PK_NEW}, {0}};
static const struct pk_spec pk_partial[] = {{1, 94, PK_OLD1}, {18, 1600, PK_PARTIAL9}, {0}};
static const struct pk_spec pk_partial_small[] = {{1, 94, PK_OLD1},
{18, 9, PK_PARTIAL_SMALL}, {0}};
static const struct pk_spec pk_partial_pkesk[] = {{1, 600, PK_PARTIAL9},
{18, 70, PK_NEW}, {0}};
static const struct pk_spec pk_only_seipd[] = {{18, 1, PK_NEW}, {0}};
static const struct pk_spec pk_trailing[] = {{1, 94, PK_OLD1}, {18, 70, PK_NEW},
{1, 94, PK_OLD1}, {0}};
static const struct pk_spec pk_two_seipd[] = {{18, 70, PK_NEW}, {18, 70, PK_NEW}, {0}};
static const struct pk_spec pk_aead[] = {{1, 94, PK_OLD1}, {20, 70, PK_NEW}, {0}};
static const struct pk_spec pk_sed[] = {{3, 13, PK_OLD1}, {9, 70, PK_OLD1}, {0}};
static const struct pk_spec pk_literal[] = {{11, 20, PK_NEW}, {0}};
static const struct pk_spec pk_signed[] = {{4, 13, PK_OLD1}, {11, 20, PK_OLD1},
{2, 90, PK_OLD1}, {0}};
static const struct pk_spec pk_indet[] = {{1, 94, PK_OLD_INDET}, {18, 70, PK_NEW}, {0}};
static const struct pk_spec pk_no_seipd[] = {{1, 94, PK_OLD1}, {3, 13, PK_NEW}, {0}};
static const struct pk_spec pk_compressed[] = {{8, 40, PK_OLD_INDET}, {0}};
static const struct pk_spec pk_big[] = {{1, 94, PK_OLD1}, {18, 40000, PK_NEW5}, {0}};

/* armor_packets - the packet list of an armor kind */
static const struct pk_spec *armor_packets(enum armor_kind kind)
{
	switch (kind) {
	case A_SKESK: return (pk_skesk);
	case A_MULTI: return (pk_multi);
	case A_NEW5: return (pk_new5);
	case A_OLD4: return (pk_old4);
	case A_PARTIAL: return (pk_partial);
	case A_PARTIAL_SMALL: return (pk_partial_small);
	case A_PARTIAL_PKESK: return (pk_partial_pkesk);
	case A_ONLY_SEIPD: return (pk_only_seipd);
	case A_TRAILING: return (pk_trailing);
	case A_TWO_SEIPD: return (pk_two_seipd);
	case A_AEAD: return (pk_aead);
	case A_SED: return (pk_sed);
	case A_LITERAL: return (pk_literal);
	case A_SIGNED: return (pk_signed);
	case A_INDET: return (pk_indet);
	case A_NO_SEIPD: return (pk_no_seipd);
	case A_BIG: return (pk_big);
	case A_COMPRESSED: return (pk_compressed);
	case A_LINE1024: return (pk_big);
	default: return (pk_good);
	}
}

/* crc_line - "=XXXX" for bin, xor-ed with flip */
static void crc_line(char *out, const unsigned char *bin, size_t len,
		     uint32_t flip)
{
	unsigned char c[3];
	uint32_t crc = cm_pgp_armor_crc24(CM_PGP_ARMOR_CRC24_INIT, bin, len) ^ flip;

	c[0] = (unsigned char) (crc >> 16);
	c[1] = (unsigned char) (crc >> 8);
	c[2] = (unsigned char) crc;
	size_t  n;

	out[0] = '=';
	n = b64_out(out + 1, c, 3, 100);	/* 4 characters and '\n' */
	out[n] = '\0';
}

/* make_armor - the armored text of one kind (no final newline) */
static void make_armor(enum armor_kind kind, char *text, size_t size)
{
	unsigned char *bin = malloc(BIN_MAX);
	const struct pk_spec *s;
	unsigned seed = 42;
	size_t  len = 0, o = 0;
	char    crc[16];

	assert_non_null(bin);
	if (kind == A_REAL) {
		snprintf(text, size, "%s", gpg_armor);
		free(bin);
		return;
	}
	for (s = armor_packets(kind); s->tag != 0; s++)
		len += put_packet(bin + len, s, &seed);
	if (kind == A_TRUNC_PACKET)
		len -= 10;
	if (kind == A_EMPTY)
		len = 0;
	if (kind == A_BAD_CTB)
		bin[0] = 0x3f;
	o += (size_t) snprintf(text + o, size - o, "%s%s",
			       kind == A_TEXT_BEFORE ? "hello\n" : "",
			       kind == A_SIGNATURE_ARMOR ?
			       "-----BEGIN PGP SIGNATURE-----\n" :
			       "-----BEGIN PGP MESSAGE-----\n");
	o += (size_t) snprintf(text + o, size - o, "%s%s",
			       kind == A_VERSION ? "Version: GnuPG v2\n" :
			       kind == A_COMMENT ? "Comment: hello\n" :
			       kind == A_BADHDR ? "Comment hello\n" : "",
			       kind == A_NOBLANK ? "" : "\n");
	o += b64_out(text + o, bin, len, kind == A_ODD_LINES ? 7 :
		     kind == A_LINE1024 ? 1024 : 64);
	if (kind == A_BAD_B64)
		text[o - 5] = '*';
	if (kind == A_BLANK_IN || kind == A_PAD_MID) {
		/* After the first 64-column data line: an empty line, or a
		 * padded quad with more data after it. */
		size_t  at = strlen("-----BEGIN PGP MESSAGE-----\n\n") + 65;
		size_t  n = kind == A_PAD_MID ? 5 : 1;

		memmove(text + at + n, text + at, o - at);
		memcpy(text + at, kind == A_PAD_MID ? "QQ==\n" : "\n", n);
		o += n;
	}
	crc_line(crc, bin, len, kind == A_BADCRC ? 0x10 : 0);
	if (kind == A_BADCRC_LINE)
		snprintf(crc, sizeof(crc), "=ABC");
	if (kind != A_NOCRC)
		o += (size_t) snprintf(text + o, size - o, "%s\n", crc);
	if (kind != A_NO_END)
		o += (size_t) snprintf(text + o, size - o, "-----END PGP MESSAGE-----");
	else
		text[--o] = '\0';	/* the delimiter follows the CRC line */
	if (kind == A_TEXT_AFTER)
		o += (size_t) snprintf(text + o, size - o, "\nclear text");
	assert_true(o < size);
	free(bin);
}

/* expand - the case's message text with placeholders replaced */
static char *expand(const struct pgp_case *c)
{
	char   *armor = malloc(MSG_MAX), *msg = malloc(MSG_MAX);
	const char *at;
	size_t  o = 0;

	assert_non_null(armor);
	assert_non_null(msg);
	make_armor(c->armor, armor, MSG_MAX);
	if (strcmp(c->msg, "@LONGPRE@") == 0 || strcmp(c->msg, "@LONGARMOR@") == 0) {
		int     pre = c->msg[5] == 'P';
		char    line[3001];

		memset(line, pre ? 'x' : 'Q', 3000);
		line[3000] = '\0';
		snprintf(msg, MSG_MAX, HDR CT_ENC "\n%s\n" PART1 PART2_HDR
			 "%s%s\n--XyZ--\n", pre ? line : "",
			 pre ? "" : "-----BEGIN PGP MESSAGE-----\n\n",
			 pre ? armor : line);
		free(armor);
		return (msg);
	}
	if (strcmp(c->msg, "@BLANKEND@") == 0) {
		char   *end = strstr(armor, "-----END");

		assert_non_null(end);
		snprintf(msg, MSG_MAX, HDR CT_ENC "\n" PART1 PART2_HDR
			 "%.*s\n%s\n--XyZ--\n", (int) (end - armor), armor, end);
		free(armor);
		return (msg);
	}
	for (const char *p = c->msg; (at = strstr(p, "@ARMOR@")) != NULL || *p; ) {
		size_t  n = at != NULL ? (size_t) (at - p) : strlen(p);

		memcpy(msg + o, p, n);
		o += n;
		p += n;
		if (at == NULL)
			break;
		o += (size_t) snprintf(msg + o, MSG_MAX - o, "%s", armor);
		p += 7;
	}
	msg[o] = '\0';
	free(armor);
	return (msg);
}

/* to_crlf - a copy with every LF turned into CRLF */
static char *to_crlf(const char *s)
{
	char   *out = malloc(strlen(s) * 2 + 1), *o = out;

	assert_non_null(out);
	for (; *s; s++) {
		if (*s == '\n')
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	return (out);
}

/* run_case - feed msg as a milter would; chunk 0 = whole, 1 = bytes,
 * other values seed random cuts */
static enum cm_pgp_verdict run_case(const struct pgp_case *c, const char *msg,
				    unsigned chunking, const char **reason)
{
	const char *rcpt2[2] = {"bob@example.net", "carol@example.org"};
	const char *rcpt1[1] = {c->rcpt};
	struct cm_pgp_envelope env = {c->mode, c->mail_from,
	c->rcpt != NULL ? rcpt1 : rcpt2, c->rcpt != NULL ? 1 : 2};
	struct cm_pgp *pgp = cm_pgp_new(&env);
	const char *p = msg, *body;
	enum cm_pgp_verdict v;
	unsigned seed = chunking;
	int     rc = 0;

	assert_non_null(pgp);
	/* Header fields: name, value with folding kept. */
	while (*p != '\n' && !(p[0] == '\r' && p[1] == '\n') && *p) {
		const char *colon = strchr(p, ':'), *end = p, *v0;
		char    name[64], value[4096];

		for (;;) {
			end = strchr(end, '\n') + 1;
			if (*end != ' ' && *end != '\t')
				break;
		}
		assert_non_null(colon);
		assert_true(colon < end && (size_t) (colon - p) < sizeof(name));
		memcpy(name, p, (size_t) (colon - p));
		name[colon - p] = '\0';
		for (v0 = colon + 1; *v0 == ' '; v0++)
			/* void */ ;
		assert_true((size_t) (end - v0) < sizeof(value));
		memcpy(value, v0, (size_t) (end - v0));
		value[end - v0] = '\0';
		while (strlen(value) > 0 && strchr("\r\n", value[strlen(value) - 1]))
			value[strlen(value) - 1] = '\0';
		if (rc == 0)
			rc = cm_pgp_header(pgp, name, value);
		p = end;
	}
	body = *p == '\r' ? p + 2 : *p == '\n' ? p + 1 : p;
	for (p = body; rc == 0 && *p; ) {
		size_t  left = strlen(p), n;

		n = chunking == 0 ? left : chunking == 1 ? 1 :
			1 + (size_t) rand_r(&seed) % 97;
		if (n > left)
			n = left;
		rc = cm_pgp_body(pgp, p, n);
		p += n;
	}
	v = cm_pgp_finish(pgp, reason);
	/* After finish everything is refused, the verdict stays. */
	assert_int_equal(cm_pgp_header(pgp, "X", "y"), -1);
	assert_int_equal(cm_pgp_body(pgp, "x", 1), -1);
	assert_int_equal(cm_pgp_finish(pgp, NULL), v);
	if (rc < 0)
		assert_int_equal(v, CM_PGP_REFUSED);
	cm_pgp_free(pgp);
	return (v);
}

/* test_cases - every case, both line ends, five chunkings */
static void test_cases(void **state)
{
	static const unsigned chunkings[] = {0, 1, 7, 1234, 99991};
	size_t  i, k;
	int     eol, failures = 0;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char   *lf = expand(&cases[i]);

		for (eol = 0; eol < 2; eol++) {
			char   *msg = eol ? to_crlf(lf) : lf;

			for (k = 0; k < sizeof(chunkings) / sizeof(chunkings[0]); k++) {
				const char *reason = NULL;
				enum cm_pgp_verdict v = run_case(&cases[i], msg,
							   chunkings[k], &reason);

				if (v != cases[i].verdict || reason == NULL
				    || strcmp(reason, cases[i].reason) != 0) {
					print_error("case \"%s\" (%s, chunking %u): "
						    "got %d \"%s\", want %d \"%s\"\n",
						    cases[i].name, eol ? "CRLF" : "LF",
						    chunkings[k], v, reason ? reason : "",
						    cases[i].verdict, cases[i].reason);
					failures++;
				}
			}
			if (eol)
				free(msg);
		}
		free(lf);
	}
	assert_int_equal(failures, 0);
}

/* test_line_limit - 1024 octets before the LF: CR included, LF alone
 * fits, CRLF does not; the same for every chunking */
static void test_line_limit(void **state)
{
	static const unsigned chunkings[] = {0, 1, 7, 1234, 99991};
	const struct pgp_case c = {"1024-column armor", OUT, "a@x.org", NULL,
	A_LINE1024, STD, ENC, "encrypted"};
	char   *lf = expand(&c), *crlf = to_crlf(lf);
	size_t  k;

	(void) state;
	for (k = 0; k < sizeof(chunkings) / sizeof(chunkings[0]); k++) {
		const char *reason = NULL;

		assert_int_equal(run_case(&c, lf, chunkings[k], &reason), ENC);
		assert_string_equal(reason, "encrypted");
		assert_int_equal(run_case(&c, crlf, chunkings[k], &reason), REF);
		assert_string_equal(reason, "line too long");
	}
	free(lf);
	free(crlf);
}

/* test_early_refusal - -1 as soon as the verdict is known */
static void test_early_refusal(void **state)
{
	struct cm_pgp_envelope env = {CM_PGP_OUTGOING, "a@x.org", NULL, 0};
	struct cm_pgp *pgp = cm_pgp_new(&env);
	const char *reason;

	(void) state;
	assert_non_null(pgp);
	assert_int_equal(cm_pgp_header(pgp, "Content-Type", "text/plain"), 0);
	assert_int_equal(cm_pgp_body(pgp, "hello\n", 6), -1);
	assert_int_equal(cm_pgp_finish(pgp, &reason), CM_PGP_REFUSED);
	assert_string_equal(reason, "not multipart/encrypted");
	cm_pgp_free(pgp);

	pgp = cm_pgp_new(&env);
	assert_int_equal(cm_pgp_header(pgp, "Content-Type", "text/plain"), 0);
	assert_int_equal(cm_pgp_header(pgp, "Content-Type", "text/plain"), -1);
	assert_int_equal(cm_pgp_header(pgp, "Subject", "still refused"), -1);
	assert_int_equal(cm_pgp_finish(pgp, &reason), CM_PGP_REFUSED);
	assert_string_equal(reason, "duplicate Content-Type");
	cm_pgp_free(pgp);

	/* A header field after the body is a caller bug: refused. */
	pgp = cm_pgp_new(&env);
	assert_int_equal(cm_pgp_header(pgp, "Content-Type", CT_ENC + 14), 0);
	assert_int_equal(cm_pgp_body(pgp, "", 0), 0);
	assert_int_equal(cm_pgp_header(pgp, "Subject", "late"), -1);
	assert_int_equal(cm_pgp_finish(pgp, &reason), CM_PGP_REFUSED);
	assert_string_equal(reason, "header field after body");
	cm_pgp_free(pgp);

	/* No header at all, no body: plain text by default. */
	pgp = cm_pgp_new(NULL);
	assert_non_null(pgp);
	assert_int_equal(cm_pgp_finish(pgp, NULL), CM_PGP_REFUSED);
	cm_pgp_free(pgp);
	cm_pgp_free(NULL);
}

/* body_str - feed a C string */
static int body_str(struct cm_pgp *pgp, const char *s)
{
	return (cm_pgp_body(pgp, s, strlen(s)));
}

/* test_bounded - a long SEIPD streams through the fixed-size checker */
static void test_bounded(void **state)
{
	struct cm_pgp_envelope env = {CM_PGP_INCOMING, "", NULL, 0};
	struct cm_pgp *pgp = cm_pgp_new(&env);
	const char *reason;
	char    line[67];
	size_t  i;

	(void) state;
	memset(line, 'Q', 64);
	memcpy(line + 64, "\r\n", 3);
	assert_int_equal(cm_pgp_header(pgp, "Content-Type",
				       "multipart/encrypted; boundary=b;\r\n"
				       "\tprotocol=\"application/pgp-encrypted\""), 0);
	assert_int_equal(body_str(pgp, "--b\r\nContent-Type: application/pgp-encrypted"
				  "\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: "
				  "application/octet-stream\r\n\r\n-----BEGIN PGP "
				  "MESSAGE-----\r\n\r\n0v9/"), 0);
	/* d2 ff 7f ff ff ff: a SEIPD of 2 GiB; 1.4 MB of it follow. */
	assert_int_equal(body_str(pgp, "////\r\n"), 0);
	for (i = 0; i < 30000; i++)
		assert_int_equal(body_str(pgp, line), 0);
	assert_int_equal(body_str(pgp, "-----END PGP MESSAGE-----\r\n--b--\r\n"),
			 -1);
	assert_int_equal(cm_pgp_finish(pgp, &reason), CM_PGP_REFUSED);
	assert_string_equal(reason, "truncated OpenPGP packet");
	cm_pgp_free(pgp);
}

struct addr_case {
	const char *value;
	int     rc;
	const char *addr;
};

static const struct addr_case addr_cases[] = {
	{"alice@example.org", 1, "alice@example.org"},
	{"  Alice@Example.ORG  ", 1, "alice@example.org"},
	{"Alice <alice@example.org>", 1, "alice@example.org"},
	{"\"Doe, John\" <JD@Example.org>", 1, "jd@example.org"},
	{"\"a <x@evil>\" <real@good.org>", 1, "real@good.org"},
	{"alice@example.org (Alice)", 1, "alice@example.org"},
	{"(comment) <a@b.c> (more (nested))", 1, "a@b.c"},
	{"Alice\r\n <alice@example.org>", 1, "alice@example.org"},
	{"=?utf-8?q?Al=C3=AFce?= <alice@example.org>", 1, "alice@example.org"},
	{"\"john doe\"@example.org", 1, "\"john doe\"@example.org"},
	{"a@[192.0.2.1]", 1, "a@[192.0.2.1]"},
	{"<a@[IPv6:2001:db8::1]>", 1, "a@[ipv6:2001:db8::1]"},
	{"a@b, c@d", 0, NULL},
	{"<a@b>, <c@d>", 0, NULL},
	{"<a@b> <c@d>", 0, NULL},
	{"<a@b> junk", 0, NULL},
	{"undisclosed-recipients:;", 0, NULL},
	{"Group: a@b;", 0, NULL},
	{"", 0, NULL},
	{"<>", 0, NULL},
	{"Alice", 0, NULL},
	{"John a@b", 0, NULL},
	{"a@@b", 0, NULL},
	{"@b", 0, NULL},
	{"a@", 0, NULL},
	{"<a@b", 0, NULL},
	{"\"unterminated <a@b>", 0, NULL},
	{"(unterminated <a@b>", 0, NULL},
	{"<@route:a@b>", 0, NULL},
	{"a b@c", 0, NULL},
	{"a@b.c\x01", 0, NULL},
};

/* test_from_addr - the From address helper */
static void test_from_addr(void **state)
{
	char    out[64];
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		int     rc = cm_pgp_from_addr(addr_cases[i].value, out, sizeof(out));

		if (rc != addr_cases[i].rc)
			print_error("from_addr(\"%s\") = %d\n", addr_cases[i].value, rc);
		assert_int_equal(rc, addr_cases[i].rc);
		if (rc == 1)
			assert_string_equal(out, addr_cases[i].addr);
	}
	assert_int_equal(cm_pgp_from_addr("averyveryverylongname@example.org",
					  out, 10), -1);
	assert_int_equal(cm_pgp_from_addr("a@b.c", out, 6), 1);
	assert_int_equal(cm_pgp_from_addr("a@b.c", out, 5), -1);
	assert_int_equal(cm_pgp_from_addr("a b", out, 5), 0);
	assert_int_equal(cm_pgp_from_addr(NULL, out, sizeof(out)), 0);

	assert_int_equal(cm_pgp_addr_equal("Alice@Example.org", "alice@example.ORG"), 1);
	assert_int_equal(cm_pgp_addr_equal("alice@example.org", "alice@example.or"), 0);
	assert_int_equal(cm_pgp_addr_equal("alice@example.or", "alice@example.org"), 0);
	assert_int_equal(cm_pgp_addr_equal("", ""), 1);
	assert_int_equal(cm_pgp_addr_equal(NULL, "a"), 0);
	assert_int_equal(cm_pgp_addr_equal("a", NULL), 0);
}


int     main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_early_refusal),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_from_addr),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
