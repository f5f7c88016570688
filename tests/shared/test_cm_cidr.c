/*++
 * NAME
 *	test_cm_cidr 1
 * SUMMARY
 *	cmocka tests for IPv4/IPv6 address and CIDR parsing
 * DESCRIPTION
 *	Table-driven: valid and invalid ranges in strict and lenient mode
 *	(with their canonical text), single addresses, containment across
 *	/0, /32, /128 and IPv4-mapped IPv6, and format round trips.
 *--*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cm_cidr.h"

struct parse_case {
	const char *text;
	int     strict;
	const char *expect;		/* canonical text, NULL = refused */
};

struct why_case {
	const char *text;
	const char *why;		/* substring of the reason */
};

struct addr_case {
	const char *text;
	int     family;			/* 0 = refused */
	const char *expect;
};

struct contains_case {
	const char *range;
	const char *addr;
	int     expect;
};

/* Ranges with their canonical text; NULL expect = refused. */
static const struct parse_case parse_cases[] = {
	{"192.0.2.0/24", 1, "192.0.2.0/24"},
	{"192.0.2.1", 1, "192.0.2.1/32"},
	{"0.0.0.0/0", 1, "0.0.0.0/0"},
	{"255.255.255.255/32", 1, "255.255.255.255/32"},
	{"10.0.0.0/8", 1, "10.0.0.0/8"},
	{"192.0.2.128/25", 1, "192.0.2.128/25"},
	{"192.0.2.0/024", 1, "192.0.2.0/24"},
	{"192.0.2.1/24", 1, NULL},
	{"192.0.2.1/24", 0, "192.0.2.0/24"},
	{"192.0.2.129/25", 0, "192.0.2.128/25"},
	{"1.2.3.4/0", 0, "0.0.0.0/0"},
	{"1.2.3.4/0", 1, NULL},
	{"2001:db8::/32", 1, "2001:db8::/32"},
	{"2001:DB8:0:0::/32", 1, "2001:db8::/32"},
	{"2001:0db8:0000:0000:0000:0000:0000:0001", 1,
	 "2001:db8::1/128"},
	{"2001:db8::1/32", 1, NULL},
	{"2001:db8::1/32", 0, "2001:db8::/32"},
	{"::/0", 1, "::/0"},
	{"::1", 1, "::1/128"},
	{"::", 1, "::/128"},
	{"1::", 1, "1::/128"},
	{"2001:db8:0:1:1:1:1:1", 1, "2001:db8:0:1:1:1:1:1/128"},
	{"2001:db8:0:0:1:0:0:1", 1, "2001:db8::1:0:0:1/128"},
	{"2001:0:0:1:0:0:0:1", 1, "2001:0:0:1::1/128"},
	{"fe80::/10", 1, "fe80::/10"},
	{"::1.2.3.4", 1, "::102:304/128"},
	{"::ffff:192.0.2.1", 1, "192.0.2.1/32"},
	{"::ffff:192.0.2.0/120", 1, "192.0.2.0/24"},
	{"::FFFF:c000:0200/120", 1, "192.0.2.0/24"},
	{"::ffff:0:0/96", 1, "0.0.0.0/0"},
	{"::ffff:192.0.2.1/120", 1, NULL},
	{"::ffff:192.0.2.1/120", 0, "192.0.2.0/24"},
	{"::ffff:0:0/95", 1, NULL},
	{"::ffff:0:0/95", 0, "::fffe:0:0/95"},
	{"192.0.2.0/33", 0, NULL},
	{"2001:db8::/129", 0, NULL},
	{"2001:db8::/128", 1, "2001:db8::/128"},
	{"", 0, NULL},
	{" 192.0.2.0/24", 0, NULL},
	{"192.0.2.0/24 ", 0, NULL},
	{"192.0.2.0 /24", 0, NULL},
	{"192.0.2.0/ 24", 0, NULL},
	{"192.0.2.0/", 0, NULL},
	{"/24", 0, NULL},
	{"192.0.2.0/+24", 0, NULL},
	{"192.0.2.0/-24", 0, NULL},
	{"192.0.2.0/24/24", 0, NULL},
	{"192.0.2.0/0024", 0, NULL},
	{"192.0.2.0/2a", 0, NULL},
	{"192.0.2", 0, NULL},
	{"192.0.2.256", 0, NULL},
	{"192.0.2.1.5", 0, NULL},
	{"192.0.02.1", 0, NULL},
	{"0x1.2.3.4", 0, NULL},
	{"+1.2.3.4", 0, NULL},
	{"-1.2.3.4", 0, NULL},
	{"1.2.3.4\n", 0, NULL},
	{"example.org", 0, NULL},
	{"2001:db8:::/32", 0, NULL},
	{"2001:db8::1::2", 0, NULL},
	{"1:2:3:4:5:6:7:8:9", 0, NULL},
	{"2001:db8::g", 0, NULL},
	{"fe80::1%eth0", 0, NULL},
	{"[2001:db8::1]", 0, NULL},
	{"::ffff:1.2.3", 0, NULL},
	{"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/128",
	 0, NULL},
};

/* test_parse_table - valid and invalid ranges, canonical text */
static void test_parse_table(void **state)
{
	const struct parse_case *c;
	struct cm_cidr cidr;
	const char *why;
	char    buf[64];
	size_t  i;
	int     rc;

	(void) state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		c = parse_cases + i;
		why = NULL;
		rc = cm_cidr_parse(c->text, c->strict, &cidr, &why);
		if (c->expect == NULL) {
			if (rc != -1 || why == NULL)
				fail_msg("case %zu \"%s\": accepted", i,
					 c->text);
			continue;
		}
		if (rc != 0)
			fail_msg("case %zu \"%s\": refused: %s", i, c->text,
				 why);
		cm_cidr_format(&cidr, buf, sizeof(buf));
		if (strcmp(buf, c->expect) != 0)
			fail_msg("case %zu \"%s\": got \"%s\", want \"%s\"", i,
				 c->text, buf, c->expect);
	}
}

/* test_parse_why - the reason names the actual problem */
static void test_parse_why(void **state)
{
	static const struct why_case cases[] = {
		{"", "empty"},
		{"192.0.2.1/24", "host bits"},
		{"2001:db8::1/32", "host bits"},
		{"192.0.2.0/33", "out of range (0-32)"},
		{"2001:db8::/129", "out of range (0-128)"},
		{"192.0.2.0/1000", "out of range"},
		{"192.0.2.0/", "missing prefix"},
		{"192.0.2.0/+24", "decimal digits"},
		{"192.0.2.0/-1", "decimal digits"},
		{" 192.0.2.0", "white space"},
		{"192.0.2.0\t", "white space"},
		{"192.0.2.0/24/1", "more than one"},
		{"/8", "missing address"},
		{"192.0.2.x", "invalid character"},
		{"192.0.2.300", "malformed IPv4"},
		{"2001:db8::1::", "malformed IPv6"},
		{"1111111111111111111111111111111111111111111111111111111111111"
		 "11111", "too long"},
	};
	const char *why;
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		assert_int_equal(cm_cidr_parse(cases[i].text, 1, NULL, &why),
				 -1);
		assert_non_null(why);
		if (strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu \"%s\": reason \"%s\" lacks \"%s\"",
				 i, cases[i].text, why, cases[i].why);
	}
	assert_int_equal(cm_cidr_parse(NULL, 1, NULL, &why), -1);
	assert_int_equal(cm_cidr_parse("192.0.2.1/24", 1, NULL, NULL), -1);
	why = "untouched";
	assert_int_equal(cm_cidr_parse("192.0.2.0/24", 1, NULL, &why), 0);
	assert_string_equal(why, "untouched");
}

/* test_parse_lengths - 64 characters are looked at, 65 are not */
static void test_parse_lengths(void **state)
{
	char    text[10001];
	const char *why;

	(void) state;
	memset(text, '1', sizeof(text) - 1);
	text[64] = '\0';
	why = NULL;
	assert_int_equal(cm_cidr_parse(text, 1, NULL, &why), -1);
	assert_string_equal(why, "malformed IPv4 address");
	text[64] = '1';
	text[65] = '\0';
	assert_int_equal(cm_cidr_parse(text, 1, NULL, &why), -1);
	assert_non_null(strstr(why, "too long"));
	assert_int_equal(cm_cidr_parse_addr(text, NULL), -1);
	text[65] = '1';
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(cm_cidr_parse(text, 0, NULL, &why), -1);
	assert_non_null(strstr(why, "too long"));
	/* the longest valid forms are well below the limit */
	assert_int_equal(cm_cidr_parse("0000:0000:0000:0000:0000:ffff:"
				       "255.255.255.255/128", 1, NULL, &why),
			 0);
}

/* test_parse_addr - single addresses, mapped ones become IPv4 */
static void test_parse_addr(void **state)
{
	static const struct addr_case cases[] = {
		{"192.0.2.1", 4, "192.0.2.1/32"},
		{"0.0.0.0", 4, "0.0.0.0/32"},
		{"2001:db8::1", 6, "2001:db8::1/128"},
		{"::ffff:192.0.2.1", 4, "192.0.2.1/32"},
		{"::ffff:c000:201", 4, "192.0.2.1/32"},
		{"::fffe:192.0.2.1", 6, "::fffe:c000:201/128"},
		{"::1", 6, "::1/128"},
		{"192.0.2.0/24", 0, NULL},
		{"192.0.2.1/32", 0, NULL},
		{"", 0, NULL},
		{" 192.0.2.1", 0, NULL},
		{"192.0.2.1 ", 0, NULL},
		{"garbage", 0, NULL},
		{"1.2.3.4.5", 0, NULL},
	};
	static const uint8_t mapped[16] = {10, 1, 2, 3};
	struct cm_cidr addr;
	char    buf[64];
	size_t  i;
	int     rc;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = cm_cidr_parse_addr(cases[i].text, &addr);
		if (cases[i].family == 0) {
			if (rc != -1)
				fail_msg("case %zu \"%s\": accepted", i,
					 cases[i].text);
			continue;
		}
		if (rc != 0 || addr.family != cases[i].family)
			fail_msg("case %zu \"%s\": rc %d family %d", i,
				 cases[i].text, rc, addr.family);
		cm_cidr_format(&addr, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].expect);
	}
	assert_int_equal(cm_cidr_parse_addr(NULL, &addr), -1);
	assert_int_equal(cm_cidr_parse_addr("::ffff:10.1.2.3", &addr), 0);
	assert_int_equal(addr.family, 4);
	assert_int_equal(addr.prefix, 32);
	assert_memory_equal(addr.addr, mapped, sizeof(mapped));
}

/* test_contains - membership for v4, v6, edges and mapped addresses */
static void test_contains(void **state)
{
	static const struct contains_case cases[] = {
		{"192.0.2.0/24", "192.0.2.0", 1},
		{"192.0.2.0/24", "192.0.2.255", 1},
		{"192.0.2.0/24", "192.0.3.0", 0},
		{"192.0.2.0/24", "192.0.1.255", 0},
		{"192.0.2.128/25", "192.0.2.127", 0},
		{"192.0.2.128/25", "192.0.2.200", 1},
		{"10.0.0.0/7", "11.255.255.255", 1},
		{"10.0.0.0/7", "12.0.0.0", 0},
		{"0.0.0.0/0", "203.0.113.9", 1},
		{"0.0.0.0/0", "2001:db8::1", 0},
		{"192.0.2.1/32", "192.0.2.1", 1},
		{"192.0.2.1/32", "192.0.2.2", 0},
		{"2001:db8::/32", "2001:db8:ffff::1", 1},
		{"2001:db8::/32", "2001:db9::1", 0},
		{"2001:db8::/33", "2001:db8:8000::", 0},
		{"2001:db8::/33", "2001:db8:7fff::", 1},
		{"::/0", "2001:db8::1", 1},
		{"::/0", "192.0.2.1", 0},
		{"::/0", "::ffff:192.0.2.1", 0},	/* mapped is IPv4 */
		{"2001:db8::1/128", "2001:db8::1", 1},
		{"2001:db8::1/128", "2001:db8::2", 0},
		{"192.0.2.0/24", "::ffff:192.0.2.77", 1},
		{"192.0.2.0/24", "::ffff:192.0.3.77", 0},
		{"::ffff:192.0.2.0/120", "192.0.2.77", 1},
		{"::ffff:192.0.2.0/120", "::ffff:192.0.2.77", 1},
		{"::ffff:0:0/96", "8.8.8.8", 1},
		{"::/64", "::ffff:1.2.3.4", 0},
		{"::/95", "::1", 1},
	};
	struct cm_cidr range, addr;
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cm_cidr_parse(cases[i].range, 1, &range,
					       NULL), 0);
		assert_int_equal(cm_cidr_parse_addr(cases[i].addr, &addr), 0);
		if (cm_cidr_contains(&range, &addr) != cases[i].expect)
			fail_msg("case %zu: %s in %s: expected %d", i,
				 cases[i].addr, cases[i].range,
				 cases[i].expect);
	}
	/* a range within a range */
	assert_int_equal(cm_cidr_parse("10.0.0.0/8", 1, &range, NULL), 0);
	assert_int_equal(cm_cidr_parse("10.1.0.0/16", 1, &addr, NULL), 0);
	assert_int_equal(cm_cidr_contains(&range, &addr), 1);
	assert_int_equal(cm_cidr_contains(&addr, &range), 0);
	assert_int_equal(cm_cidr_contains(&range, &range), 1);
	assert_int_equal(cm_cidr_contains(NULL, &addr), 0);
	assert_int_equal(cm_cidr_contains(&range, NULL), 0);
}

/* test_format_round_trip - format, parse, same value */
static void test_format_round_trip(void **state)
{
	static const char *texts[] = {
		"0.0.0.0/0", "192.0.2.0/24", "255.255.255.255/32",
		"::/0", "::/128", "::1/128", "1::/16", "2001:db8::/32",
		"2001:db8:0:1::/64", "2001:db8:1::1:0:0/96",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		"1:0:1:0:1:0:1:0/128", "::ffff:0:0:0/96", "::fffe:0:0/95",
	};
	struct cm_cidr a, b;
	char    buf[64], buf2[64], small[8];
	size_t  i;

	(void) state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(cm_cidr_parse(texts[i], 1, &a, NULL), 0);
		cm_cidr_format(&a, buf, sizeof(buf));
		assert_string_equal(buf, texts[i]);
		assert_int_equal(cm_cidr_parse(buf, 1, &b, NULL), 0);
		assert_int_equal(a.family, b.family);
		assert_int_equal(a.prefix, b.prefix);
		assert_memory_equal(a.addr, b.addr, sizeof(a.addr));
		cm_cidr_format(&b, buf2, sizeof(buf2));
		assert_string_equal(buf, buf2);
	}
	assert_int_equal(cm_cidr_parse("2001:db8::/32", 1, &a, NULL), 0);
	cm_cidr_format(&a, small, sizeof(small));	/* truncates safely */
	assert_string_equal(small, "2001:db");
}

/* main - run every test */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_why),
		cmocka_unit_test(test_parse_lengths),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_contains),
		cmocka_unit_test(test_format_round_trip),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
