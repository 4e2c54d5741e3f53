/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the spec model: arbitrary bytes through the three
 * loaders (config.json, exec --process, update --resources). Whatever loads
 * must save, load again, and save to the same bytes; a clone must save to
 * the same bytes as its original. A violation aborts, which libFuzzer
 * reports as a crash like any ASan/UBSan finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Saved documents write defaults (0) for absent plain scalars, so they can
 * outgrow the loader's limits; only smaller ones must reload. */
#define RELOAD_BOUND (1u << 20)

static void check(int ok, const char *what, const struct cinch_error *err)
{
	if (!ok) {
		fprintf(stderr, "round-trip invariant broken: %s (%s)\n", what, err->msg);
		abort();
	}
}

static void spec_round_trip(const char *buf, size_t len)
{
	struct cinch_error err = {0};
	struct cinch_spec *a = NULL, *b = NULL, *c = NULL;
	char *s1 = NULL, *s2 = NULL, *s3 = NULL;
	size_t l1 = 0, l2 = 0, l3 = 0;

	if (cinch_spec_load_buffer(buf, len, "fuzz", &a, &err) < 0)
		return;
	check(cinch_spec_save_buffer(a, false, &s1, &l1, &err) == 0, "spec save", &err);
	check(cinch_spec_clone(a, &c, &err) == 0, "spec clone", &err);
	check(cinch_spec_save_buffer(c, false, &s3, &l3, &err) == 0, "clone save", &err);
	check(l1 == l3 && memcmp(s1, s3, l1) == 0, "clone saves differently", &err);
	if (l1 < RELOAD_BOUND) {
		check(cinch_spec_load_buffer(s1, l1, "saved", &b, &err) == 0, "spec reload", &err);
		check(cinch_spec_save_buffer(b, false, &s2, &l2, &err) == 0, "spec resave", &err);
		check(l1 == l2 && memcmp(s1, s2, l1) == 0, "spec save not stable", &err);
		cinch_spec_free(b);
		b = NULL;
		free(s2);
		s2 = NULL;
		/* Pretty output is the same document. */
		check(cinch_spec_save_buffer(a, true, &s2, &l2, &err) == 0, "pretty save", &err);
		check(cinch_spec_load_buffer(s2, l2, "pretty", &b, &err) == 0, "pretty reload",
		      &err);
		free(s2);
		s2 = NULL;
		check(cinch_spec_save_buffer(b, false, &s2, &l2, &err) == 0, "pretty resave", &err);
		check(l1 == l2 && memcmp(s1, s2, l1) == 0, "pretty output differs", &err);
	}
	cinch_spec_free(a);
	cinch_spec_free(b);
	cinch_spec_free(c);
	free(s1);
	free(s2);
	free(s3);
}

static void process_round_trip(const char *buf, size_t len)
{
	struct cinch_error err = {0};
	struct cinch_process *a = NULL, *b = NULL;
	char *s1 = NULL, *s2 = NULL;
	size_t l1 = 0, l2 = 0;

	if (cinch_process_load_buffer(buf, len, "fuzz", &a, &err) < 0)
		return;
	check(cinch_process_save_buffer(a, &s1, &l1, &err) == 0, "process save", &err);
	if (l1 < RELOAD_BOUND) {
		check(cinch_process_load_buffer(s1, l1, "saved", &b, &err) == 0, "process reload",
		      &err);
		check(cinch_process_save_buffer(b, &s2, &l2, &err) == 0, "process resave", &err);
		check(l1 == l2 && memcmp(s1, s2, l1) == 0, "process save not stable", &err);
	}
	cinch_process_free(a);
	cinch_process_free(b);
	free(s1);
	free(s2);
}

static void resources_round_trip(const char *buf, size_t len)
{
	struct cinch_error err = {0};
	struct cinch_resources *a = NULL, *b = NULL;
	char *s1 = NULL, *s2 = NULL;
	size_t l1 = 0, l2 = 0;

	if (cinch_resources_load_buffer(buf, len, "fuzz", &a, &err) < 0)
		return;
	check(cinch_resources_save_buffer(a, &s1, &l1, &err) == 0, "resources save", &err);
	if (l1 < RELOAD_BOUND) {
		check(cinch_resources_load_buffer(s1, l1, "saved", &b, &err) == 0,
		      "resources reload", &err);
		check(cinch_resources_save_buffer(b, &s2, &l2, &err) == 0, "resources resave",
		      &err);
		check(l1 == l2 && memcmp(s1, s2, l1) == 0, "resources save not stable", &err);
	}
	cinch_resources_free(a);
	cinch_resources_free(b);
	free(s1);
	free(s2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	spec_round_trip(buf, size);
	process_round_trip(buf, size);
	resources_round_trip(buf, size);
	return 0;
}
