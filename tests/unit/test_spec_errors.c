/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec: malformed documents are refused with one line naming the JSON path
 * and the reason, and leave nothing behind (this binary runs under ASan/LSan).
 * Each row is one way an engine or an attacker could get a document wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cinch/cleanup.h"
#include "cinch/spec.h"

#define MIN_SPEC "\"ociVersion\":\"1.2.0\""

struct bad_doc {
	const char *name;
	const char *json;
	const char *error; /* the exact message */
};

static const struct bad_doc bad_specs[] = {
    {"wrong type, depth 4",
     "{" MIN_SPEC ",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}}",
     "config.json: .linux.resources.memory.limit: expected integer, got string"},
    {"wrong type, top", "{\"ociVersion\":1}",
     "config.json: .ociVersion: expected string, got integer"},
    {"wrong type, object", "{" MIN_SPEC ",\"process\":[]}",
     "config.json: .process: expected object, got array"},
    {"wrong type in array element",
     "{" MIN_SPEC ",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},"
     "{\"destination\":\"/c\"},{\"destination\":true}]}",
     "config.json: .mounts[3].destination: expected string, got boolean"},
    {"wrong type in string list",
     "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"args\":[\"sh\",1.5]}}",
     "config.json: .process.args[1]: expected string, got number"},
    {"wrong type in map value", "{" MIN_SPEC ",\"annotations\":{\"k\":1}}",
     "config.json: .annotations[\"k\"]: expected string, got integer"},
    {"float for integer", "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":1.0}}",
     "config.json: .process.oomScoreAdj: expected integer, got number"},
    {"wrong type, seccomp arg",
     "{" MIN_SPEC ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
     "[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":\"0\","
     "\"op\":\"SCMP_CMP_EQ\"}]}]}}}",
     "config.json: .linux.seccomp.syscalls[0].args[0].value: expected integer, got string"},
    {"bool as string", "{" MIN_SPEC ",\"root\":{\"path\":\"r\",\"readonly\":\"true\"}}",
     "config.json: .root.readonly: expected boolean, got string"},
    {"truncated", "{" MIN_SPEC ",\"process\":{\"args\":[\"sh\"",
     "config.json: invalid JSON: parse error: premature EOF"},
    {"trailing garbage", "{" MIN_SPEC "} x",
     "config.json: invalid JSON: parse error: trailing garbage"},
    {"huge integer",
     "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":99999999999999999999}}",
     "config.json: .process.oomScoreAdj: integer out of range for int64"},
    {"huge uint64",
     "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
     "\"hard\":18446744073709551616,\"soft\":1}]}}",
     "config.json: .process.rlimits[0].hard: integer out of range for uint64"},
    {"negative uint64", "{" MIN_SPEC ",\"linux\":{\"resources\":{\"cpu\":{\"shares\":-2}}}}",
     "config.json: .linux.resources.cpu.shares: negative value -2 for uint64"},
    {"huge exponent", "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"oomScoreAdj\":1e400}}",
     "config.json: .process.oomScoreAdj: expected integer, got number"},
    {"negative uid", "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":-1,\"gid\":0}}}",
     "config.json: .process.user.uid: negative value -1 for uint32"},
    {"uid above uint32",
     "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":4294967296,\"gid\":0}}}",
     "config.json: .process.user.uid: value 4294967296 out of range for uint32 (max 4294967295)"},
    {"duplicate key",
     "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"args\":[\"a\"],\"args\":[\"b\"]}}",
     "config.json: .process: duplicate key \"args\""},
    {"duplicate top-level key", "{" MIN_SPEC "," MIN_SPEC "}",
     "config.json: .: duplicate key \"ociVersion\""},
    {"duplicate annotation", "{" MIN_SPEC ",\"annotations\":{\"a\":\"1\",\"a\":\"2\"}}",
     "config.json: .annotations: duplicate key \"a\""},
    {"non-UTF-8", "{" MIN_SPEC ",\"hostname\":\"\xff\xfe\"}",
     "config.json: invalid JSON: lexical error: invalid bytes in UTF8 string"},
    {"NUL escape", "{" MIN_SPEC ",\"hostname\":\"a\\u0000b\"}",
     "config.json: invalid JSON: \\u0000 in a string is not supported at line 1, column 37"},
    {"comment", "{" MIN_SPEC "/* hi */}",
     "config.json: invalid JSON: comments are not allowed at line 1, column 22"},
    {"empty document", "", "config.json: invalid JSON: empty document"},
    {"whitespace document", " \n\t ", "config.json: invalid JSON: empty document"},
    {"top-level array", "[1,2]", "config.json: .: expected object, got array"},
    {"top-level array, bad inside", "[" MIN_SPEC "]",
     "config.json: invalid JSON: parse error: after array element, I expect ',' or ']'"},
    {"top-level array of object", "[{" MIN_SPEC "}]", "config.json: .: expected object, got array"},
    {"top-level string", "\"x\"", "config.json: .: expected object, got string"},
    {"missing ociVersion", "{\"hostname\":\"h\"}",
     "config.json: .ociVersion: missing required field"},
    {"null ociVersion", "{\"ociVersion\":null}",
     "config.json: .ociVersion: missing required field"},
    {"missing hook path",
     "{" MIN_SPEC ",\"hooks\":{\"poststop\":[{\"path\":\"/a\"},{\"args\":[]}]}}",
     "config.json: .hooks.poststop[1].path: missing required field"},
    {"hook timeout zero",
     "{" MIN_SPEC ",\"hooks\":{\"prestart\":[{\"path\":\"/a\",\"timeout\":0}]}}",
     "config.json: .hooks.prestart[0].timeout: must be greater than zero, got 0"},
    {"missing mount destination", "{" MIN_SPEC ",\"mounts\":[{\"type\":\"tmpfs\"}]}",
     "config.json: .mounts[0].destination: missing required field"},
    {"missing namespace type",
     "{" MIN_SPEC ",\"linux\":{\"namespaces\":[{\"path\":\"/proc/1/ns/net\"}]}}",
     "config.json: .linux.namespaces[0].type: missing required field"},
    {"unknown namespace type",
     "{" MIN_SPEC ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pidd\"}]}}",
     "config.json: .linux.namespaces[1].type: unknown value \"pidd\""},
    {"duplicate namespace",
     "{" MIN_SPEC ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
     "config.json: .linux.namespaces[1].type: duplicate namespace \"pid\""},
    {"missing seccomp defaultAction", "{" MIN_SPEC ",\"linux\":{\"seccomp\":{\"syscalls\":[]}}}",
     "config.json: .linux.seccomp.defaultAction: missing required field"},
    {"missing rlimit type",
     "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"rlimits\":[{\"hard\":1,\"soft\":1}]}}",
     "config.json: .process.rlimits[0].type: missing required field"},
    {"missing pids limit", "{" MIN_SPEC ",\"linux\":{\"resources\":{\"pids\":{}}}}",
     "config.json: .linux.resources.pids.limit: missing required field"},
    {"missing cwd", "{" MIN_SPEC ",\"process\":{\"args\":[\"sh\"]}}",
     "config.json: .process.cwd: missing required field"},
    {"missing device major",
     "{" MIN_SPEC ",\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"minor\":1}]}}",
     "config.json: .linux.devices[0].major: missing required field (device type \"c\")"},
    {"bad device type",
     "{" MIN_SPEC ",\"linux\":{\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]}}",
     "config.json: .linux.devices[0].type: invalid value \"x\" (expected one of: c, b, u, p)"},
    {"bad device access",
     "{" MIN_SPEC ",\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}}}",
     "config.json: .linux.resources.devices[0].access: invalid value \"rwx\" (expected letters "
     "from \"rwm\")"},
    {"missing device rule allow",
     "{" MIN_SPEC ",\"linux\":{\"resources\":{\"devices\":[{\"access\":\"rwm\"}]}}}",
     "config.json: .linux.resources.devices[0].allow: missing required field"},
    {"control chars in key are escaped", "{" MIN_SPEC ",\"annotations\":{\"a\\nb\":2}}",
     "config.json: .annotations[\"a\\u000ab\"]: expected string, got integer"},
    {"time offset nanosecs negative",
     "{" MIN_SPEC ",\"linux\":{\"timeOffsets\":{\"monotonic\":{\"nanosecs\":-5}}}}",
     "config.json: .linux.timeOffsets[\"monotonic\"].nanosecs: negative value -5 for uint32"},
};

static void bad_specs_are_refused_with_path_and_reason(void **state)
{
	for (size_t i = 0; i < N_ELEMENTS(bad_specs); i++) {
		const struct bad_doc *d = &bad_specs[i];
		struct cinch_spec *spec = (struct cinch_spec *)(uintptr_t)0x1;
		struct cinch_error err = {0};
		int r =
		    cinch_spec_load_buffer(d->json, strlen(d->json), "config.json", &spec, &err);

		if (r >= 0)
			fail_msg("%s: accepted", d->name);
		/* *ret untouched on failure */
		assert_ptr_equal(spec, (struct cinch_spec *)(uintptr_t)0x1);
		assert_null(strchr(err.msg, '\n'));
		if (strcmp(err.msg, d->error) != 0)
			fail_msg("%s:\n  got      %s\n  expected %s", d->name, err.msg, d->error);
	}
}

static char *repeated(const char *head, char fill, size_t n, const char *tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char *s = malloc(hl + n + tl + 1);

	assert_non_null(s);
	memcpy(s, head, hl);
	memset(s + hl, fill, n);
	memcpy(s + hl + n, tail, tl + 1);
	return s;
}

static void deep_nesting_is_refused_before_parsing(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	/* 100000 levels would exhaust the stack of a recursive tree free. */
	_cleanup_free_ char *deep = repeated("{\"a\":", '[', 100000, "");

	assert_int_equal(cinch_spec_load_buffer(deep, strlen(deep), "config.json", &spec, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "config.json: invalid JSON: nesting deeper than 64 levels at "
				     "line 1, column 69");
	assert_null(spec);
}

static void oversized_document_is_refused(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	size_t n = 16u * 1024 * 1024 + 1;
	_cleanup_free_ char *big = repeated("{" MIN_SPEC ",\"hostname\":\"", 'a', n, "\"}");

	assert_int_equal(cinch_spec_load_buffer(big, strlen(big), "config.json", &spec, &err),
			 -EFBIG);
	assert_non_null(strstr(err.msg, "config.json: document too large"));
}

/* A 10 MB string fits the 16 MiB document limit and is kept whole. */
static void ten_megabyte_string_is_accepted(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	size_t n = 10u * 1000 * 1000;
	_cleanup_free_ char *big = repeated("{" MIN_SPEC ",\"hostname\":\"", 'a', n, "\"}");

	assert_int_equal(cinch_spec_load_buffer(big, strlen(big), "config.json", &spec, &err), 0);
	assert_int_equal(strlen(spec->hostname), n);
	cinch_spec_free(spec);
}

static void embedded_nul_byte_is_refused(void **state)
{
	static const char doc[] = "{" MIN_SPEC "}\0{\"x\":1}";
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;

	/* yajl_tree_parse would stop at the NUL and accept the first object. */
	assert_int_equal(cinch_spec_load_buffer(doc, sizeof(doc) - 1, "config.json", &spec, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "config.json: invalid JSON: NUL byte at line 1, column 23");
}

static void too_many_values_are_refused(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	size_t n = 1100000;
	char *doc = malloc(2 * n + 64);
	size_t o;

	assert_non_null(doc);
	o = (size_t)sprintf(doc, "{" MIN_SPEC ",\"x\":[");
	for (size_t i = 0; i < n; i++) {
		doc[o++] = '0';
		doc[o++] = ',';
	}
	strcpy(doc + o, "0]}");
	assert_int_equal(cinch_spec_load_buffer(doc, strlen(doc), "config.json", &spec, &err),
			 -E2BIG);
	assert_string_equal(err.msg, "config.json: invalid JSON: more than 1048576 values");
	free(doc);
}

static void unknown_properties_are_ignored(void **state)
{
	static const char doc[] =
	    "{" MIN_SPEC ",\"future\":{\"x\":[1,2]},\"process\":{\"cwd\":\"/\","
	    "\"newThing\":true,\"user\":{\"uid\":1,\"gid\":2,\"extra\":\"e\"}}}";
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	_cleanup_free_ char *out = NULL;

	assert_int_equal(cinch_spec_load_buffer(doc, strlen(doc), "config.json", &spec, &err), 0);
	assert_int_equal(spec->process->user.gid, 2);
	assert_int_equal(cinch_spec_save_buffer(spec, false, &out, NULL, &err), 0);
	assert_string_equal(out,
			    "{\"ociVersion\":\"1.2.0\",\"process\":{\"user\":{\"uid\":1,\"gid\":2},"
			    "\"cwd\":\"/\"}}");
	cinch_spec_free(spec);
}

static void integer_limits_are_exact(void **state)
{
	static const char doc[] =
	    "{" MIN_SPEC ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":4294967295,\"gid\":-0},"
	    "\"oomScoreAdj\":-9223372036854775807,\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
	    "\"hard\":18446744073709551615,\"soft\":9223372036854775808}]}}";
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;

	assert_int_equal(cinch_spec_load_buffer(doc, strlen(doc), "config.json", &spec, &err), 0);
	assert_int_equal(spec->process->user.uid, UINT32_MAX);
	assert_int_equal(spec->process->user.gid, 0);
	assert_true(spec->process->oom_score_adj.value == -INT64_MAX);
	assert_true(spec->process->rlimits.items[0].hard == UINT64_MAX);
	assert_true(spec->process->rlimits.items[0].soft == UINT64_C(9223372036854775808));
	cinch_spec_free(spec);
}

static void bare_process_and_resources_errors(void **state)
{
	static const char proc[] = "{\"cwd\":\"/\",\"user\":{\"uid\":\"0\",\"gid\":0}}";
	static const char res[] = "{\"memory\":{\"limit\":1},\"cpu\":{\"quota\":true}}";
	struct cinch_error err = {0};
	struct cinch_process *p = NULL;
	struct cinch_resources *r = NULL;

	assert_int_equal(cinch_process_load_buffer(proc, strlen(proc), "process.json", &p, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "process.json: .user.uid: expected integer, got string");
	assert_int_equal(cinch_resources_load_buffer(res, strlen(res), "resources", &r, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "resources: .cpu.quota: expected integer, got boolean");
	assert_null(p);
	assert_null(r);
}

/* Keys come from the document: a huge one must not swamp the message. */
static void long_keys_are_cut_in_messages(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;
	_cleanup_free_ char *doc =
	    repeated("{" MIN_SPEC ",\"annotations\":{\"", 'k', 100000, "\":1}}");

	assert_int_equal(cinch_spec_load_buffer(doc, strlen(doc), "config.json", &spec, &err),
			 -EINVAL);
	assert_true(strlen(err.msg) < 200);
	assert_non_null(strstr(err.msg, "config.json: .annotations[\"kkkk"));
	assert_non_null(strstr(err.msg, "kkk...\"]: expected string, got integer"));
}

static void load_file_errors_name_the_file(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;

	assert_int_equal(cinch_spec_load_file("/nonexistent/config.json", &spec, &err), -ENOENT);
	assert_string_equal(err.msg, "/nonexistent/config.json: open: no such file or directory");
	assert_int_equal(cinch_spec_load_file("/", &spec, &err), -EINVAL);
	assert_string_equal(err.msg, "/: not a regular file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bad_specs_are_refused_with_path_and_reason),
	    cmocka_unit_test(deep_nesting_is_refused_before_parsing),
	    cmocka_unit_test(oversized_document_is_refused),
	    cmocka_unit_test(ten_megabyte_string_is_accepted),
	    cmocka_unit_test(embedded_nul_byte_is_refused),
	    cmocka_unit_test(too_many_values_are_refused),
	    cmocka_unit_test(unknown_properties_are_ignored),
	    cmocka_unit_test(integer_limits_are_exact),
	    cmocka_unit_test(bare_process_and_resources_errors),
	    cmocka_unit_test(long_keys_are_cut_in_messages),
	    cmocka_unit_test(load_file_errors_name_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
