/*++
 * NAME
 *	test_cm_settings 1
 * SUMMARY
 *	unit tests for cm_settings: defaults, validation, storage, snapshot
 *--*/

#include "test_util.h"
#include "cm_settings.h"

#include <sqlite3.h>

static char *dir, *path;

static int setup(void **state)
{
	(void) state;
	dir = test_mkdtemp();
	path = test_path(dir, "chatmail.db");
	return 0;
}

static int teardown(void **state)
{
	(void) state;
	test_rmtree(dir);
	free(path);
	free(dir);
	return 0;
}

/* test_documented_defaults - the defaults the issue and docs promise */
static void test_documented_defaults(void **state)
{
	struct cm_settings s;

	(void) state;
	cm_settings_defaults(&s);
	assert_int_equal(s.max_message_size, 31457280);
	assert_int_equal(s.default_quota_bytes, 1073741824);
	assert_int_equal(s.flush_interval, 30);
	assert_int_equal(s.max_user_send_per_minute, 60);
	assert_int_equal(s.max_user_send_burst, 10);
	assert_int_equal(s.quota_full_transient, 0);
	assert_int_equal(s.federation_reject_mode, 0);
	assert_int_equal(s.delete_mails_after, 20);
	assert_int_equal(s.delete_large_after, 7);
	assert_int_equal(s.delete_large_min_size, 204800);
	assert_int_equal(s.delete_inactive_users_after, 90);
}

/* test_every_def_is_sane - names unique, defaults validate, docs present */
static void test_every_def_is_sane(void **state)
{
	size_t i, j;
	char canon[64];

	(void) state;
	assert_true(cm_settings_defs_count >= 11);
	for (i = 0; i < cm_settings_defs_count; i++) {
		const struct cm_setting_def *def = &cm_settings_defs[i];

		assert_int_equal(cm_settings_validate(def, def->default_value,
						      canon, sizeof(canon),
						      NULL), 0);
		assert_string_equal(canon, def->default_value);
		assert_true(strlen(def->doc) > 10);
		assert_ptr_equal(cm_settings_def(def->name), def);
		for (j = i + 1; j < cm_settings_defs_count; j++)
			assert_string_not_equal(def->name,
						cm_settings_defs[j].name);
	}
	assert_null(cm_settings_def("nosuch"));
}

struct case_ {
	const char *name, *value, *canon;	/* canon NULL = invalid */
};

/* test_validation_table - accepted and refused values */
static void test_validation_table(void **state)
{
	static const struct case_ cases[] = {
		{ "max_message_size", "31457280", "31457280" },
		{ "max_message_size", "30M", "31457280" },
		{ "max_message_size", "30m", "31457280" },
		{ "max_message_size", "1k", "1024" },
		{ "max_message_size", "1023", NULL },	/* below min */
		{ "max_message_size", "2T", NULL },	/* above max */
		{ "max_message_size", "", NULL },
		{ "max_message_size", "-5", NULL },
		{ "max_message_size", "+5", NULL },
		{ "max_message_size", " 5", NULL },
		{ "max_message_size", "5 ", NULL },
		{ "max_message_size", "30MB", NULL },
		{ "max_message_size", "0x10", NULL },
		{ "default_quota_bytes", "0", "0" },
		{ "default_quota_bytes", "9223372036854775807",
		  "9223372036854775807" },
		{ "default_quota_bytes", "9223372036854775808", NULL },
		{ "default_quota_bytes", "9999999999999999999999", NULL },
		{ "default_quota_bytes", "8388608T", NULL },	/* 2^63 */
		{ "default_quota_bytes", "500M", "524288000" },
		{ "flush_interval", "0", NULL },
		{ "flush_interval", "1", "1" },
		{ "flush_interval", "10k", NULL },	/* no suffix: seconds */
		{ "quota_full_transient", "yes", "yes" },
		{ "quota_full_transient", "TRUE", "yes" },
		{ "quota_full_transient", "off", "no" },
		{ "quota_full_transient", "0", "no" },
		{ "quota_full_transient", "maybe", NULL },
		{ "federation_mode", "reject", "reject" },
		{ "federation_mode", "accept", "accept" },
		{ "federation_mode", "acc", NULL },
		{ "federation_mode", "acceptx", NULL },
		{ "federation_mode", "Reject", NULL },
	};
	struct cm_error err;
	char canon[64];
	size_t i;
	int rc;

	(void) state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cm_setting_def *def = cm_settings_def(cases[i].name);

		assert_non_null(def);
		rc = cm_settings_validate(def, cases[i].value, canon,
					  sizeof(canon), &err);
		if (cases[i].canon == NULL) {
			if (rc != -1)
				fail_msg("%s=%s accepted", cases[i].name,
					 cases[i].value);
			assert_int_equal(err.kind, CM_ERR_INVALID);
			assert_non_null(strstr(err.message, cases[i].name));
		} else {
			if (rc != 0)
				fail_msg("%s=%s refused: %s", cases[i].name,
					 cases[i].value, err.message);
			assert_string_equal(canon, cases[i].canon);
		}
	}
}

/* test_store_roundtrip - set, get, typed get, reset, unknown names */
static void test_store_roundtrip(void **state)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_error err;
	char *value;
	int64_t num;
	int flag;

	(void) state;
	assert_int_equal(cm_settings_get(store, "flush_interval", &value,
					 &err), 0);
	assert_string_equal(value, "30");
	free(value);
	assert_int_equal(cm_settings_set(store, "flush_interval", "5", &err), 0);
	assert_int_equal(cm_settings_get(store, "flush_interval", &value,
					 &err), 1);
	assert_string_equal(value, "5");
	free(value);
	assert_int_equal(cm_settings_get_int(store, "flush_interval", &num,
					     &err), 1);
	assert_int_equal(num, 5);
	assert_int_equal(cm_settings_set(store, "quota_full_transient", "true",
					 &err), 0);
	assert_int_equal(cm_settings_get_bool(store, "quota_full_transient",
					      &flag, &err), 1);
	assert_int_equal(flag, 1);
	assert_int_equal(cm_settings_get_bool(store, "flush_interval", &flag,
					      &err), -1);
	assert_int_equal(cm_settings_set(store, "nosuch", "1", &err), -1);
	assert_non_null(strstr(err.message, "unknown setting 'nosuch'"));
	assert_int_equal(cm_settings_set(store, "flush_interval", "0", &err),
			 -1);
	assert_int_equal(cm_settings_reset(store, "flush_interval", &err), 1);
	assert_int_equal(cm_settings_reset(store, "flush_interval", &err), 0);
	assert_int_equal(cm_settings_get_int(store, "flush_interval", &num,
					     &err), 0);
	assert_int_equal(num, 30);
	cm_store_close(&store);
}

/* test_load_snapshot - stored values override defaults; a bad stored
   value (written behind our back) is an error naming the fix */
static void test_load_snapshot(void **state)
{
	struct cm_store *store = test_store_open(path, 0, 0);
	struct cm_settings s;
	struct cm_error err;
	sqlite3 *db;

	(void) state;
	assert_int_equal(cm_settings_set(store, "max_message_size", "1M",
					 &err), 0);
	assert_int_equal(cm_settings_set(store, "federation_mode", "reject",
					 &err), 0);
	assert_int_equal(cm_settings_load(store, &s, &err), 0);
	assert_int_equal(s.max_message_size, 1048576);
	assert_int_equal(s.federation_reject_mode, 1);
	assert_int_equal(s.default_quota_bytes, 1073741824);
	cm_store_close(&store);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE settings SET value = 'huge'"
				      " WHERE name = 'max_message_size'",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	store = test_store_open(path, 0, 0);
	assert_int_equal(cm_settings_load(store, &s, &err), -1);
	assert_non_null(strstr(err.message, "max_message_size"));
	assert_non_null(strstr(err.message, "chatmailctl settings set"));
	cm_store_close(&store);
}

/* test_docs_list_every_setting - doc/settings.md names every setting
   with its default, so docs and code cannot drift apart */
static void test_docs_list_every_setting(void **state)
{
	const char *srcdir = getenv("top_srcdir");
	char *doc_path, *text, needle[128];
	FILE *fp;
	long size;
	size_t i;

	(void) state;
	if (srcdir == NULL)
		srcdir = ".";
	doc_path = test_path(srcdir, "doc/settings.md");
	fp = fopen(doc_path, "r");
	if (fp == NULL)
		fail_msg("cannot read %s (set top_srcdir)", doc_path);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t) size + 1);
	assert_int_equal(fread(text, 1, (size_t) size, fp), (size_t) size);
	fclose(fp);
	for (i = 0; i < cm_settings_defs_count; i++) {
		snprintf(needle, sizeof(needle), "| `%s` | `%s`",
			 cm_settings_defs[i].name,
			 cm_settings_defs[i].default_value);
		if (strstr(text, needle) == NULL)
			fail_msg("doc/settings.md lacks the row '%s'", needle);
	}
	free(text);
	free(doc_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documented_defaults),
		cmocka_unit_test(test_every_def_is_sane),
		cmocka_unit_test(test_validation_table),
		cmocka_unit_test(test_docs_list_every_setting),
		cmocka_unit_test_setup_teardown(test_store_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_snapshot, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
