/*++
 * NAME
 *	test_cm_milter_codec 1
 * SUMMARY
 *	cmocka tests for the milter protocol codec
 * DESCRIPTION
 *	Numbers in network order; several packets split from one buffer;
 *	a stream cut at every byte (0 until the packet is whole); bad
 *	length fields; reply packets and their size limits; OPTNEG parsed
 *	and formatted for versions 2 and 6 with and without SETSYMLIST,
 *	byte for byte; CONNECT for the inet, inet6, unix and unknown
 *	families, and every truncation of them; MACRO pairs with an odd
 *	trailing name; MAIL/RCPT/HEADER strings one short.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cm_milter_codec.h"

/* Postfix 3.7's offer: version 6, all actions, all protocol flags. */
#define OFFER_ACTIONS	0x1ffU
#define OFFER_PROTOCOL	0x1fffffU

/* pkt - append a packet (command, data) at buf + *len */
static void pkt(char *buf, size_t *len, char cmd, const char *data,
		size_t n)
{
	long    w = cm_milter_packet_format(cmd, data, n, buf + *len,
					    CM_MILTER_HEADER_SIZE + n);

	assert_int_equal(w, (long) (CM_MILTER_HEADER_SIZE + n));
	*len += (size_t) w;
}

/* S - a string literal with its NUL, as data and length */
#define S(lit)	lit, sizeof(lit)

/* test_u32 - network order both ways */
static void test_u32(void **state)
{
	char    b[4];

	(void) state;
	cm_milter_u32_write(b, 0x01020384U);
	assert_memory_equal(b, "\x01\x02\x03\x84", 4);
	assert_int_equal(cm_milter_u32_read(b), 0x01020384U);
	assert_int_equal(cm_milter_u32_read("\xff\xff\xff\xff"), 0xffffffffU);
}

/* test_split_many - several packets from one buffer, in order */
static void test_split_many(void **state)
{
	char    buf[256];
	size_t  len = 0, off = 0, used;
	struct cm_milter_packet p;

	(void) state;
	pkt(buf, &len, CM_MILTER_CMD_MAIL, S("<a@example.org>"));
	pkt(buf, &len, CM_MILTER_CMD_RCPT, S("<b@example.org>"));
	pkt(buf, &len, CM_MILTER_CMD_BODYEOB, NULL, 0);
	pkt(buf, &len, CM_MILTER_CMD_QUIT, "", 0);

	assert_int_equal(cm_milter_packet_split(buf, len, &p, &used), 1);
	assert_int_equal(p.cmd, CM_MILTER_CMD_MAIL);
	assert_ptr_equal(p.data, buf + 5);
	assert_int_equal(p.len, sizeof("<a@example.org>"));
	assert_string_equal(p.data, "<a@example.org>");
	assert_int_equal(used, 5 + p.len);
	off += used;
	assert_int_equal(cm_milter_packet_split(buf + off, len - off, &p,
						&used), 1);
	assert_int_equal(p.cmd, CM_MILTER_CMD_RCPT);
	assert_string_equal(p.data, "<b@example.org>");
	off += used;
	assert_int_equal(cm_milter_packet_split(buf + off, len - off, &p,
						&used), 1);
	assert_int_equal(p.cmd, CM_MILTER_CMD_BODYEOB);
	assert_int_equal(p.len, 0);
	assert_int_equal(used, 5);
	off += used;
	assert_int_equal(cm_milter_packet_split(buf + off, len - off, &p,
						&used), 1);
	assert_int_equal(p.cmd, CM_MILTER_CMD_QUIT);
	off += used;
	assert_int_equal(off, len);
	assert_int_equal(cm_milter_packet_split(buf + off, 0, &p, &used), 0);
}

/* test_split_partial - every cut of a packet waits for more */
static void test_split_partial(void **state)
{
	char    buf[64];
	size_t  len = 0, cut, used = 99;
	struct cm_milter_packet p = {0, NULL, 0};

	(void) state;
	pkt(buf, &len, CM_MILTER_CMD_HEADER, S("From\0 a@example.org"));
	for (cut = 0; cut < len; cut++) {
		assert_int_equal(cm_milter_packet_split(buf, cut, &p, &used), 0);
		assert_int_equal(used, 99);	/* untouched */
		assert_null(p.data);
	}
	assert_int_equal(cm_milter_packet_split(buf, len, &p, &used), 1);
	assert_int_equal(used, len);
	/* one byte of the next packet after it does not matter */
	buf[len] = 0;
	assert_int_equal(cm_milter_packet_split(buf, len + 1, &p, &used), 1);
	assert_int_equal(used, len);
}

/* test_split_bad - a length of 0 or over the maximum */
static void test_split_bad(void **state)
{
	char    b[8] = {0};
	size_t  used;
	struct cm_milter_packet p;

	(void) state;
	assert_int_equal(cm_milter_packet_split(b, 4, &p, &used), -1);
	assert_int_equal(cm_milter_packet_split(b, 3, &p, &used), 0);
	cm_milter_u32_write(b, CM_MILTER_PACKET_MAX + 1);
	assert_int_equal(cm_milter_packet_split(b, 8, &p, &used), -1);
	assert_int_equal(cm_milter_u32_read(b), CM_MILTER_PACKET_MAX + 1);
	cm_milter_u32_write(b, 0xffffffffU);
	assert_int_equal(cm_milter_packet_split(b, 8, &p, &used), -1);
	/* the maximum itself is fine, only incomplete */
	cm_milter_u32_write(b, CM_MILTER_PACKET_MAX);
	assert_int_equal(cm_milter_packet_split(b, 8, &p, &used), 0);
	/* a length of 1: the command alone */
	cm_milter_u32_write(b, 1);
	b[4] = CM_MILTER_CMD_ABORT;
	assert_int_equal(cm_milter_packet_split(b, 5, &p, &used), 1);
	assert_int_equal(p.cmd, CM_MILTER_CMD_ABORT);
	assert_int_equal(p.len, 0);
}

/* test_packet_format - a reply packet, exact fits and limits */
static void test_packet_format(void **state)
{
	char    b[32];

	(void) state;
	assert_int_equal(cm_milter_packet_format(CM_MILTER_REPLY_CONTINUE,
						 NULL, 0, b, 5), 5);
	assert_memory_equal(b, "\0\0\0\1c", 5);
	assert_int_equal(cm_milter_packet_format(CM_MILTER_REPLY_REPLYCODE,
						 S("523 x"), b, 11), 11);
	assert_memory_equal(b, "\0\0\0\7y523 x\0", 11);
	assert_int_equal(cm_milter_packet_format(CM_MILTER_REPLY_REPLYCODE,
						 S("523 x"), b, 10), -1);
	assert_int_equal(cm_milter_packet_format(CM_MILTER_REPLY_SKIP,
						 NULL, 0, b, 4), -1);
	assert_int_equal(cm_milter_packet_format(CM_MILTER_REPLY_SKIP, b,
						 CM_MILTER_PACKET_MAX, b,
						 SIZE_MAX), -1);
}

/* offer - an OPTNEG's data */
static void offer(char *b, uint32_t version, uint32_t actions,
		  uint32_t protocol)
{
	cm_milter_u32_write(b, version);
	cm_milter_u32_write(b + 4, actions);
	cm_milter_u32_write(b + 8, protocol);
}

/* test_optneg_parse - the three numbers; short or too old is bad */
static void test_optneg_parse(void **state)
{
	char    b[16];
	struct cm_milter_optneg o;

	(void) state;
	offer(b, 6, OFFER_ACTIONS, OFFER_PROTOCOL);
	assert_int_equal(cm_milter_optneg_parse(b, 12, &o), 0);
	assert_int_equal(o.version, 6);
	assert_int_equal(o.actions, OFFER_ACTIONS);
	assert_int_equal(o.protocol, OFFER_PROTOCOL);
	assert_int_equal(cm_milter_optneg_parse(b, 16, &o), 0);
	assert_int_equal(cm_milter_optneg_parse(b, 11, &o), -1);
	assert_int_equal(cm_milter_optneg_parse(b, 0, &o), -1);
	offer(b, 2, 0, 0);
	assert_int_equal(cm_milter_optneg_parse(b, 12, &o), 0);
	assert_int_equal(o.version, 2);
	offer(b, 1, 0, 0);
	assert_int_equal(cm_milter_optneg_parse(b, 12, &o), -1);
	offer(b, 0, 0, 0);
	assert_int_equal(cm_milter_optneg_parse(b, 12, &o), -1);
}

/* The reply data to Postfix 3.7, SETSYMLIST offered, flags 0x0ff7c2. */
static const char optneg_v6[] =
	"\0\0\0\6" "\0\0\1\0" "\0\x0f\xf7\xc2"
	"\0\0\0\0{daemon_name}\0"
	"\0\0\0\2{auth_authen}\0"
	"\0\0\0\5i";

/* test_optneg_format - versions 2 and 6, with and without SETSYMLIST */
static void test_optneg_format(void **state)
{
	struct cm_milter_optneg o = {6, OFFER_ACTIONS, OFFER_PROTOCOL}, back;
	char    b[CM_MILTER_OPTNEG_MAX];
	uint32_t want = 0x0ff7c2U;
	long    n;

	(void) state;
	n = cm_milter_optneg_format(&o, want, b, sizeof(b));
	assert_int_equal(n, sizeof(optneg_v6));
	assert_memory_equal(b, optneg_v6, sizeof(optneg_v6));
	assert_int_equal(cm_milter_optneg_parse(b, (size_t) n, &back), 0);
	assert_int_equal(back.version, 6);
	assert_int_equal(back.actions, CM_MILTER_ACT_SETSYMLIST);
	assert_int_equal(back.protocol, want);
	/* one byte short at every stage */
	assert_int_equal(cm_milter_optneg_format(&o, want, b, (size_t) n - 1),
			 -1);
	assert_int_equal(cm_milter_optneg_format(&o, want, b, 12 + 17), -1);
	assert_int_equal(cm_milter_optneg_format(&o, want, b, 11), -1);
	/* a newer MTA gets version 6 */
	o.version = 7;
	assert_int_equal(cm_milter_optneg_format(&o, want, b, sizeof(b)), n);
	assert_int_equal(cm_milter_u32_read(b), 6);
	/* version 6 without SETSYMLIST: numbers only */
	o.version = 6;
	o.actions = OFFER_ACTIONS & ~CM_MILTER_ACT_SETSYMLIST;
	assert_int_equal(cm_milter_optneg_format(&o, want, b, 12), 12);
	assert_memory_equal(b, "\0\0\0\6\0\0\0\0\0\x0f\xf7\xc2", 12);
	/* version 2 with SETSYMLIST: no lists, but the bit is echoed */
	o.version = 2;
	o.actions = OFFER_ACTIONS;
	o.protocol = CM_MILTER_PROTO_NOHELO | CM_MILTER_PROTO_SKIP;
	assert_int_equal(cm_milter_optneg_format(&o, want, b, 12), 12);
	assert_memory_equal(b, "\0\0\0\2\0\0\1\0\0\0\4\2", 12);
	/* version 2 without: the flags are those offered and wanted */
	o.actions = 0;
	assert_int_equal(cm_milter_optneg_format(&o, want, b, 12), 12);
	assert_int_equal(cm_milter_optneg_parse(b, 12, &back), 0);
	assert_int_equal(back.version, 2);
	assert_int_equal(back.actions, 0);
	assert_int_equal(back.protocol, CM_MILTER_PROTO_SKIP
			 | CM_MILTER_PROTO_NOHELO);
}

/* test_connect - the families, each truncated at every byte */
static void test_connect(void **state)
{
	static const struct {
		const char *data;
		size_t  len;
		const char *host;
		char    family;
		unsigned port;
		const char *addr;
	}       cases[] = {
		{S("mx.example.org\0" "4\x00\x19" "192.0.2.1"),
		 "mx.example.org", '4', 25, "192.0.2.1"},
		{S("[2001:db8::1]\0" "6\xc3\x50" "2001:db8::1"),
		 "[2001:db8::1]", '6', 50000, "2001:db8::1"},
		{S("localhost\0" "L\0\0" "/run/smtpd"),
		 "localhost", 'L', 0, "/run/smtpd"},
		{S("localhost\0" "L\0\0"), "localhost", 'L', 0, ""},
		{S("unknown\0U"), "unknown", 'U', 0, NULL},
	};
	struct cm_milter_connect cn;
	size_t  i, cut;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cm_milter_connect_parse(cases[i].data,
							 cases[i].len, &cn), 0);
		assert_string_equal(cn.host, cases[i].host);
		assert_int_equal(cn.family, cases[i].family);
		assert_int_equal(cn.port, cases[i].port);
		if (cases[i].addr == NULL)
			assert_null(cn.addr);
		else
			assert_string_equal(cn.addr, cases[i].addr);
		/* 'U' needs no NUL after it: its cut is at the family */
		for (cut = 0; cut < cases[i].len
		     - (cases[i].family == 'U' ? 1 : 0); cut++)
			assert_int_equal(cm_milter_connect_parse(
				cases[i].data, cut, &cn), -1);
	}
}

/* test_macros - pairs in order; an odd trailing name is dropped */
static void test_macros(void **state)
{
	static const char data[] = "M{auth_authen}\0alice\0i\0" "4F1\0odd";
	struct cm_milter_macros it;
	const char *name, *value;

	(void) state;
	assert_int_equal(cm_milter_macros_start(&it, data, 0), -1);
	assert_int_equal(cm_milter_macros_start(&it, data, sizeof(data)), 0);
	assert_int_equal(it.cmd, CM_MILTER_CMD_MAIL);
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 1);
	assert_string_equal(name, "{auth_authen}");
	assert_string_equal(value, "alice");
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 1);
	assert_string_equal(name, "i");
	assert_string_equal(value, "4F1");
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 0);
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 0);
	/* "odd" without its NUL is dropped too */
	assert_int_equal(cm_milter_macros_start(&it, data, sizeof(data) - 1),
			 0);
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 1);
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 1);
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 0);
	/* a value without its NUL ends the list */
	assert_int_equal(cm_milter_macros_start(&it, data, 20), 0);
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 0);
	/* the command alone: no pairs */
	assert_int_equal(cm_milter_macros_start(&it, "C", 1), 0);
	assert_int_equal(it.cmd, CM_MILTER_CMD_CONNECT);
	assert_int_equal(cm_milter_macros_next(&it, &name, &value), 0);
}

/* test_strings - MAIL/RCPT (one) and HEADER (two), one short */
static void test_strings(void **state)
{
	static const char mail[] = "<a@example.org>\0SIZE=10";
	static const char header[] = "Subject\0 hello";
	const char *s[3];

	(void) state;
	assert_int_equal(cm_milter_strings_parse(mail, sizeof(mail), s, 1), 0);
	assert_string_equal(s[0], "<a@example.org>");
	assert_int_equal(cm_milter_strings_parse(mail, sizeof(mail), s, 2), 0);
	assert_string_equal(s[1], "SIZE=10");
	assert_int_equal(cm_milter_strings_parse(mail, sizeof(mail), s, 3), -1);
	assert_int_equal(cm_milter_strings_parse(mail, 15, s, 1), -1);
	assert_int_equal(cm_milter_strings_parse(mail, 0, s, 1), -1);
	assert_int_equal(cm_milter_strings_parse(mail, 0, s, 0), 0);
	assert_int_equal(cm_milter_strings_parse(header, sizeof(header), s, 2),
			 0);
	assert_string_equal(s[0], "Subject");
	assert_string_equal(s[1], " hello");
	/* the value one byte short: no NUL */
	assert_int_equal(cm_milter_strings_parse(header, sizeof(header) - 1,
						 s, 2), -1);
	assert_int_equal(cm_milter_strings_parse(header, 8, s, 2), -1);
	assert_int_equal(cm_milter_strings_parse(header, 8, s, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_split_many),
		cmocka_unit_test(test_split_partial),
		cmocka_unit_test(test_split_bad),
		cmocka_unit_test(test_packet_format),
		cmocka_unit_test(test_optneg_parse),
		cmocka_unit_test(test_optneg_format),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_strings),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
