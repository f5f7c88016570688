#!/bin/sh
# tests/pgp/test_pgp_corpus.sh - the encryption gate against real GnuPG mail.
#
# Generates, in a throw-away GNUPGHOME, keys of three types (rsa2048,
# ed25519/cv25519, nistp256) and real PGP/MIME messages made by gpg
# (single and several recipients, symmetric SKESK, partial body lengths
# from a pipe, with and without the CRC line), rewrites some of them with
# tests/tools/cm_pgp_forge (packet headers, tags, trailing packets, CRC,
# armor headers), adds the exceptions and the tricks that must fail, and
# runs tests/tools/cm_pgp_check on each, whole and cut in 1-, 7- and
# 4096-byte chunks, with LF and (for most) CRLF line ends.
#
# Prints one line per case, "case-name: expected got reason", then a
# summary; exits 1 on any mismatch, 77 when gpg is missing.
set -u

builddir=$(cd "${top_builddir:-.}" && pwd)
check=$builddir/tests/tools/cm_pgp_check
forge=$builddir/tests/tools/cm_pgp_forge
if ! command -v gpg >/dev/null 2>&1; then
	echo "SKIP: gpg not installed (apt-get install gnupg)"
	exit 77
fi
for t in "$check" "$forge"; do
	if [ ! -x "$t" ]; then
		echo "FAIL: $t not built"
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cm-pgp-corpus.XXXXXX") || exit 1
GNUPGHOME=$tmp/g
export GNUPGHOME
mkdir -m 700 "$GNUPGHOME"
cleanup() {
	gpgconf --kill gpg-agent >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

gpgq() {
	gpg --batch --yes --no-tty --quiet --pinentry-mode loopback \
	    --passphrase '' --trust-model always "$@"
}

die() {
	echo "FAIL: $*"
	exit 1
}

# --- keys -----------------------------------------------------------------
# newkey UID PRIMARY-ALGO ENCRYPTION-SUBKEY-ALGO
newkey() {
	gpgq --quick-gen-key "$1" "$2" cert,sign never 2>/dev/null \
	    || die "gpg --quick-gen-key $2"
	fpr=$(gpg --with-colons --list-secret-keys "$1" 2>/dev/null |
	    awk -F: '/^fpr/ { print $10; exit }')
	gpgq --quick-add-key "$fpr" "$3" encr never 2>/dev/null \
	    || die "gpg --quick-add-key $3"
}
newkey "RSA User <rsa@example.org>" rsa2048 rsa2048
newkey "Ed User <ed@example.org>" ed25519 cv25519
newkey "NIST User <nist@example.org>" nistp256 nistp256

# --- messages made by gpg -------------------------------------------------
cd "$tmp" || exit 1
echo "Hello, this is a chat message." >plain.txt
head -c 20000 /dev/urandom >big.bin

gpgq -a -e -r rsa@example.org -o rsa.asc plain.txt
gpgq -a -e -r ed@example.org -o ed.asc plain.txt
gpgq -a -e -r nist@example.org -o nist.asc plain.txt
gpgq -a -e -r rsa@example.org -r ed@example.org -r nist@example.org \
    -o multi.asc plain.txt
gpgq -a -c --passphrase secret -o skesk.asc plain.txt
gpgq -a -e -c --passphrase secret -r ed@example.org -o pkesk_skesk.asc \
    plain.txt
gpgq -a -e -r ed@example.org <big.bin >partial.asc	# from a pipe
gpgq -a -e --emit-version -r ed@example.org -o version.asc plain.txt
gpgq -a -e --comment "made by the corpus" -r ed@example.org -o comment.asc \
    plain.txt
gpgq -a -s -u ed@example.org -o signed.asc plain.txt
gpgq -a -c --passphrase secret --rfc2440 --cipher-algo AES -o sed.asc \
    plain.txt 2>/dev/null
grep -v '^=' ed.asc >nocrc.asc				# no CRC line

# The corpus is what it claims: gpg itself decrypts it, and the packet
# listing shows the headers, tags and lengths each case is about.
gpgq -d -o /dev/null multi.asc 2>/dev/null || die "gpg cannot decrypt multi.asc"
gpgq -d --passphrase secret -o /dev/null skesk.asc 2>/dev/null \
    || die "gpg cannot decrypt skesk.asc"
info() {
	"$forge" --info <"$1" | tr '\n' ' '
}
expect_info() {	# FILE PATTERN
	info "$1" | grep -Eq "$2" || die "$1: packets are $(info "$1"), want /$2/"
}
expect_info rsa.asc '^tag=1 old len=[0-9]+ tag=18 new len=[0-9]+ $'
expect_info multi.asc '^(tag=1 old len=[0-9]+ ){3}tag=18 new'
expect_info skesk.asc '^tag=3 old len=[0-9]+ tag=18 new'
expect_info pkesk_skesk.asc 'tag=1 .*tag=3 .*tag=18'
expect_info partial.asc 'tag=18 new len=[0-9]+ partial $'
expect_info sed.asc '^tag=3 old len=[0-9]+ tag=9 '
grep -q '^=' ed.asc || die "gpg wrote no CRC line"
grep -q '^Version: ' version.asc || die "--emit-version wrote no Version header"
grep -q '^=' nocrc.asc && die "nocrc.asc still has a CRC line"

# Rewritten by cm_pgp_forge (see its manual page).
"$forge" <ed.asc >reencoded.asc			# same packets, new armor
"$forge" --headers new <multi.asc >newfmt.asc
"$forge" --headers new5 <ed.asc >new5.asc
"$forge" --headers old4 <multi.asc >old4.asc
"$forge" --headers indet <ed.asc >indet.asc
"$forge" --partial 9 <partial.asc >partial512.asc
"$forge" --partial 4 <partial.asc >partial16.asc
"$forge" --line 76 <ed.asc >line76.asc
"$forge" --line 30 <ed.asc >line30.asc
"$forge" --append 1 <ed.asc >trailing.asc
"$forge" --append 18 <ed.asc >two_seipd.asc
"$forge" --tag 18:20 <ed.asc >aead.asc
"$forge" --truncate 7 <ed.asc >trunc_packet.asc
"$forge" --bad-crc <ed.asc >badcrc.asc
"$forge" --header "Charset: UTF-8" <ed.asc >charset.asc
expect_info newfmt.asc '^(tag=1 new len=[0-9]+ ){3}tag=18 new'
expect_info old4.asc '^(tag=1 old len=[0-9]+ ){3}tag=18 new'
expect_info partial16.asc 'tag=18 new len=[0-9]+ partial $'
# Truncated armor: the END line and the last data lines are missing.
head -n 5 ed.asc >trunc_armor.asc

# Autocrypt Setup Message payload: the secret key, symmetrically encrypted.
gpg --batch --quiet --export-secret-keys -a ed@example.org |
    gpgq -a -c --passphrase 1234-5678-9012-3456-7890-1234-5678-9012-3456 |
    sed '1a\
Passphrase-Format: numeric9x4\
Passphrase-Begin: 12' >setup.asc

# --- MIME wrapping --------------------------------------------------------
# pgpmime ARMOR [FROM] : the standard PGP/MIME message around an armor
pgpmime() {
	cat <<EOF
From: ${2:-Alice <alice@example.org>}
To: bob@example.net
Subject: ...
Date: Thu, 01 Jan 2026 00:00:00 +0000
Message-ID: <corpus@example.org>
MIME-Version: 1.0
Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";
	boundary="------------OpenPGP-corpus"

This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)
--------------OpenPGP-corpus
Content-Type: application/pgp-encrypted
Content-Description: PGP/MIME version identification

Version: 1

--------------OpenPGP-corpus
Content-Type: application/octet-stream; name="encrypted.asc"
Content-Description: OpenPGP encrypted message
Content-Disposition: inline; filename="encrypted.asc"

$(cat "$1")

--------------OpenPGP-corpus--
EOF
}

for a in rsa ed nist multi skesk pkesk_skesk partial version comment signed \
    sed nocrc reencoded newfmt new5 old4 indet partial512 partial16 line76 \
    line30 trailing two_seipd aead trunc_packet badcrc charset trunc_armor; do
	pgpmime $a.asc >$a.eml
done

HDR='From: Alice <alice@example.org>
To: bob@example.net
Subject: ...
MIME-Version: 1.0'
PART1='--B
Content-Type: application/pgp-encrypted

Version: 1
'
PART2="--B
Content-Type: application/octet-stream

$(cat ed.asc)
"
CT='Content-Type: multipart/encrypted; boundary=B;
 protocol="application/pgp-encrypted"'

printf '%s\nContent-Type: text/plain; charset=utf-8\n\nHello in clear.\n' \
    "$HDR" >plaintext.eml
printf '%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n' "$HDR" \
    "$(cat ed.asc)" >armor_in_plaintext.eml
printf '%s\n%s\n\n%s--B--\n' "$HDR" "$CT" "$PART1" >part2_missing.eml
printf '%s\n%s\n\n%s%s--B\nContent-Type: text/plain\n\nin clear\n--B--\n' \
    "$HDR" "$CT" "$PART1" "$PART2" >third_part.eml
printf '%s\n%s\n\n%s%s--B--\n' "$HDR" "$CT" "$PART2" "$PART1" >wrong_order.eml
printf '%s\n%s\n\n%s%s--B--\nP.S. in clear\n' "$HDR" "$CT" "$PART1" \
    "$PART2" >epilogue_text.eml
printf '%s\nContent-Type: multipart/encrypted; boundary=B\n\n%s%s--B--\n' \
    "$HDR" "$PART1" "$PART2" >no_protocol.eml
printf '%s\n%s\n\n%s--B\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n%s\n--B--\n' \
    "$HDR" "$CT" "$PART1" "$(base64 ed.asc)" >part2_base64.eml

securejoin() {	# HEADER-VALUE BODY
	printf '%s\nSecure-Join: %s\nChat-Version: 1.0\nContent-Type: multipart/mixed; boundary="sj"\n\n--sj\nContent-Type: text/plain; charset="utf-8"\n\n%s\n\n--sj--\n' \
	    "$HDR" "$1" "$2"
}
securejoin vc-request "secure-join: vc-request" >sj_vc.eml
securejoin vg-request "secure-join: vg-request" >sj_vg.eml
securejoin vc-request "Hello Bob, here is my plaintext." >sj_other_body.eml
securejoin vc-request "secure-join: vg-request" >sj_value_mismatch.eml
securejoin vc-auth-required "secure-join: vc-auth-required" >sj_auth.eml
printf '%s\nSecure-Join: vc-request\nContent-Type: text/plain\n\nsecure-join: vc-request\n' \
    "$HDR" >sj_text_plain.eml

asm() {	# FROM
	cat <<EOF
From: <$1>
To: <$1>
Subject: Autocrypt Setup Message
Autocrypt-Setup-Message: v1
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="asm"

--asm
Content-Type: text/plain

This message contains all information to transfer your Autocrypt
settings along with your secret key securely from your original
device.

--asm
Content-Type: application/autocrypt-setup
Content-Disposition: attachment; filename="autocrypt-setup-message.html"

<html><body><pre>
$(cat setup.asc)
</pre></body></html>
--asm--
EOF
}
asm alice@example.org >asm.eml

bounce() {	# FROM AUTO-SUBMITTED CONTENT-TYPE
	cat <<EOF
From: $1
To: bob@example.org
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: $2
MIME-Version: 1.0
Content-Type: $3;
	boundary="A1B2C3.1700000000/mx.example.net"

This is a MIME-encapsulated message.

--A1B2C3.1700000000/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--A1B2C3.1700000000/mx.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
Final-Recipient: rfc822; nobody@example.net
Action: failed
Status: 5.1.1

--A1B2C3.1700000000/mx.example.net--
EOF
}
MD='MAILER-DAEMON@mx.example.net (Mail Delivery System)'
bounce "$MD" auto-replied "multipart/report; report-type=delivery-status" \
    >bounce.eml
bounce "$MD" auto-replied "multipart/mixed" >bounce_not_report.eml
sed '/^Auto-Submitted:/d' bounce.eml >bounce_no_autosubmitted.eml
bounce "Eve <eve@example.net>" auto-replied \
    "multipart/report; report-type=delivery-status" >bounce_from_user.eml

# --- the cases ------------------------------------------------------------
pass=0
fail=0
# case NAME EXPECTED-VERDICT EXPECTED-REASON FILE [crlf] [cm_pgp_check args]
case_() {
	name=$1 want=$2 want_reason=$3 file=$4
	shift 4
	crlf=yes
	if [ "${1:-}" = nocrlf ]; then
		crlf=no
		shift
	fi
	files=$file
	if [ $crlf = yes ]; then
		sed 's/$/\r/' "$file" >"$file.crlf"
		files="$file $file.crlf"
	fi
	got= reason= bad=
	for f in $files; do
		"$check" -c 0,1,7,4096 "$@" "$f" >"$f.out" || die "cm_pgp_check $f"
		[ "$(wc -l <"$f.out")" -eq 4 ] || die "cm_pgp_check $f: no verdict"
		while IFS= read -r out; do
			v=${out%%: *}
			r=${out#*: }
			if [ -z "$got" ]; then
				got=$v reason=$r
			elif [ "$v" != "$got" ] || [ "$r" != "$reason" ]; then
				bad="chunking/line ends change the verdict ($f: $out)"
			fi
		done <"$f.out"
	done
	if [ "$got" = "$want" ] && [ "$reason" = "$want_reason" ] && [ -z "$bad" ]; then
		pass=$((pass + 1))
		printf '%s: %s %s %s\n' "$name" "$want" "$got" "$reason"
	else
		fail=$((fail + 1))
		printf '%s: %s %s %s  <-- MISMATCH (want "%s")%s\n' "$name" "$want" \
		    "$got" "$reason" "$want_reason" "${bad:+ $bad}"
	fi
}
OUT="-o -f alice@example.org -r bob@example.net"
IN="-f alice@example.org -r bob@example.org"
E=encrypted
X=exception
R=refused

case_ "rsa2048, one recipient" $E encrypted rsa.eml $OUT
case_ "ed25519/cv25519, one recipient" $E encrypted ed.eml $OUT
case_ "nistp256, one recipient" $E encrypted nist.eml $OUT
case_ "three recipients (rsa, cv25519, nistp256)" $E encrypted multi.eml $OUT
case_ "three recipients, incoming" $E encrypted multi.eml $IN
case_ "symmetric SKESK" $E encrypted skesk.eml $OUT
case_ "PKESK and SKESK" $E encrypted pkesk_skesk.eml $OUT
case_ "partial body lengths (gpg from a pipe)" $E encrypted partial.eml $OUT
case_ "without CRC line" $E encrypted nocrc.eml $OUT
case_ "Comment armor header" $E encrypted comment.eml $OUT
case_ "Charset armor header" $E encrypted charset.eml $OUT
case_ "Version armor header, incoming" $E encrypted version.eml $IN
case_ "re-armored, same packets" $E encrypted reencoded.eml $OUT
case_ "all headers new format" $E encrypted newfmt.eml $OUT
case_ "new format, 5-octet lengths" $E encrypted new5.eml $OUT
case_ "old format, 4-octet lengths" $E encrypted old4.eml $OUT
case_ "partial lengths of 512" $E encrypted partial512.eml $OUT
case_ "partial lengths of 16 (first < 512)" $E encrypted partial16.eml $OUT
case_ "76-column armor" $E encrypted line76.eml $OUT
case_ "30-column armor (quads split over lines)" $E encrypted line30.eml $OUT
case_ "secure-join vc-request" $X "secure-join request" sj_vc.eml $OUT
case_ "secure-join vg-request, incoming" $X "secure-join request" sj_vg.eml $IN
case_ "autocrypt setup message to self" $X "autocrypt setup message" \
    asm.eml -o -f alice@example.org -r alice@example.org
case_ "mailer-daemon bounce (null sender)" $X "mailer-daemon bounce" \
    bounce.eml -f "" -r bob@example.org
case_ "mailer-daemon bounce (mailer-daemon sender)" $X "mailer-daemon bounce" \
    bounce.eml -f MAILER-DAEMON@mx.example.net -r bob@example.org

case_ "plaintext" $R "not multipart/encrypted" plaintext.eml $OUT
case_ "plaintext containing an armor block" $R "not multipart/encrypted" \
    armor_in_plaintext.eml $OUT
case_ "multipart/encrypted, part 2 missing" $R "part 2 missing" \
    part2_missing.eml $OUT
case_ "third part" $R "third part" third_part.eml $OUT
case_ "wrong part order" $R "part 1 not application/pgp-encrypted" \
    wrong_order.eml $OUT
case_ "text after the close delimiter" $R "text after close delimiter" \
    epilogue_text.eml $OUT
case_ "no protocol parameter" $R "protocol not application/pgp-encrypted" \
    no_protocol.eml $OUT
case_ "part 2 base64-encoded" $R "part transfer encoding not 7bit/8bit" \
    part2_base64.eml $OUT
case_ "SEIPD followed by a PKESK" $R "SEIPD followed by trailing data" \
    trailing.eml $OUT
case_ "two SEIPD" $R "SEIPD followed by trailing data" two_seipd.eml $OUT
case_ "truncated armor" $R "truncated armor" trunc_armor.eml $OUT
case_ "truncated packet" $R "truncated OpenPGP packet" trunc_packet.eml $OUT
case_ "bad CRC24" $R "bad CRC24" badcrc.eml $OUT
case_ "Version armor header, outgoing" $R "armor Version header" \
    version.eml $OUT
case_ "signed only (gpg -s)" $R "compressed data packet (not encrypted)" \
    signed.eml $OUT
case_ "SED, tag 9 (gpg --rfc2440)" $R \
    "SED packet (tag 9) without integrity protection" sed.eml $OUT
case_ "AEAD, tag 20" $R "AEAD packet (tag 20) not allowed" aead.eml $OUT
case_ "old-format indeterminate length" $R \
    "old-format indeterminate packet length" indet.eml $OUT
case_ "secure-join header, different body" $R "secure-join body mismatch" \
    sj_other_body.eml $OUT
case_ "secure-join vc-request header, vg-request body" $R \
    "secure-join body mismatch" sj_value_mismatch.eml $OUT
case_ "secure-join vc-auth-required in clear" $R \
    "Secure-Join not vc-request or vg-request" sj_auth.eml $OUT
case_ "secure-join top-level text/plain" $R "secure-join not multipart/mixed" \
    sj_text_plain.eml $OUT
case_ "autocrypt setup message to someone else" $R \
    "autocrypt setup message not to oneself" asm.eml \
    -o -f alice@example.org -r bob@example.net
case_ "autocrypt setup message, incoming" $R \
    "autocrypt setup message on incoming mail" asm.eml \
    -f alice@example.org -r alice@example.org
case_ "forged mailer-daemon, not multipart/report" $R \
    "bounce not multipart/report" bounce_not_report.eml -f "" -r bob@example.org
case_ "mailer-daemon without Auto-Submitted" $R "bounce without Auto-Submitted" \
    bounce_no_autosubmitted.eml -f "" -r bob@example.org
case_ "bounce From a user" $R "not multipart/encrypted" \
    bounce_from_user.eml -f "" -r bob@example.org
case_ "bounce sent as outgoing mail" $R "bounce on outgoing mail" \
    bounce.eml -o -f mailer-daemon@example.org -r bob@example.net

echo "pgp corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
