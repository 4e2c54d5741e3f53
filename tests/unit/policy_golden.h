/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden-file helpers for the policy tests: compare generated text with
 * tests/unit/data/policy/<name>; with UPDATE_GOLDEN=1 in the environment
 * the file is (re)written instead.
 */
#ifndef CINCH_TEST_POLICY_GOLDEN_H
#define CINCH_TEST_POLICY_GOLDEN_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <cmocka.h>

static inline char *golden_read(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static inline void golden_mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
}

/* Fails the test when `text` differs from the golden file `name`. */
static inline void golden_check(const char *name, const char *text)
{
	const char *data = getenv("CINCH_TEST_DATA");
	char path[4096];
	char *want;

	assert_non_null(data);
	snprintf(path, sizeof(path), "%s/policy/%s", data, name);
	if (getenv("UPDATE_GOLDEN") && strcmp(getenv("UPDATE_GOLDEN"), "1") == 0) {
		FILE *f;
		golden_mkdirs(path);
		f = fopen(path, "we");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	want = golden_read(path);
	if (!want)
		fail_msg("missing golden file %s (run with UPDATE_GOLDEN=1)", path);
	if (strcmp(want, text) != 0) {
		fprintf(stderr, "--- %s (golden)\n%s\n+++ generated\n%s\n", path, want, text);
		free(want);
		fail_msg("%s differs from the golden file (UPDATE_GOLDEN=1 to accept)", name);
	}
	free(want);
}

#endif
