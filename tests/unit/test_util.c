/* SPDX-License-Identifier: Apache-2.0 */
/* util: the error convention and the runtime log formats. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/cleanup.h"
#include "cinch/error.h"
#include "cinch/log.h"

static void error_set_returns_negative_code(void **state)
{
	struct cinch_error err = {0};

	assert_int_equal(cinch_error_set(&err, ENOENT, "config.json: %s", ".root.path"), -ENOENT);
	assert_string_equal(err.msg, "config.json: .root.path");
	assert_int_equal(cinch_error_set(&err, 0, "x"), -EINVAL);
}

static void error_errno_appends_strerror(void **state)
{
	struct cinch_error err = {0};

	cinch_error_errno(&err, EACCES, "open %s", "/x");
	assert_string_equal(err.msg, "open /x: permission denied");
}

static void error_prefix_adds_context(void **state)
{
	struct cinch_error err = {0};

	cinch_error_set(&err, EPERM, "inner");
	assert_int_equal(cinch_error_prefix(&err, "container %s", "c1"), -EPERM);
	assert_string_equal(err.msg, "container c1: inner");
}

static char *read_whole(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, f) > 0);
	return buf;
}

static void json_log_lines_are_json_objects(void **state)
{
	char path[] = "/tmp/cinch-test-log-XXXXXX";
	struct cinch_error err = {0};
	_cleanup_free_ char *text = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(cinch_log_open(path, CINCH_LOG_JSON, false, &err), 0);
	log_debug("hidden without --debug");
	log_warning("quote \" and newline \n");
	cinch_error_set(&err, ENOENT, "final \"error\"");
	cinch_log_fatal_error(&err);
	cinch_log_close();
	text = read_whole(path);
	unlink(path);
	assert_null(strstr(text, "hidden"));
	assert_non_null(strstr(text, "{\"level\":\"warning\",\"msg\":\"quote \\\" and newline \\u000a\""));
	assert_non_null(strstr(text, "{\"level\":\"error\",\"msg\":\"cinch: final \\\"error\\\"\",\"time\":\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_set_returns_negative_code),
		cmocka_unit_test(error_errno_appends_strerror),
		cmocka_unit_test(error_prefix_adds_context),
		cmocka_unit_test(json_log_lines_are_json_objects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
