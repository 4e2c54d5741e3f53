/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `update` and `events` pieces without a container: runc's size syntax,
 * the flags as a LinuxResources object, what update drops (devices, kernel
 * memory, pids 0), cpu quota/period completion, the merge into the stored
 * resources, and Go durations for --interval.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cinch/spec.h"
#include "duration.h"
#include "update_resources.h"

static void test_sizes(void **state)
{
	static const struct {
		const char *text;
		int64_t want;
	} good[] = {
	    {"1024", 1024},	 {"-1", -1},	    {"0", 0},	       {"10k", 10240},
	    {"10K", 10240},	 {"64m", 64 << 20}, {"64M", 64 << 20}, {"64mb", 64 << 20},
	    {"64MiB", 64 << 20}, {"1g", 1 << 30},   {"1.5g", 3 << 29}, {"512 KiB", 512 << 10},
	    {"2t", 2LL << 40},	 {"1p", 1LL << 50}, {"100b", 100},
	};
	static const char *const bad[] = {
	    "", "x", "10x", "-2", "1e3", "inf", "1.", ".5", "10mm", "1k1", "99999999999p", " 10",
	};
	struct cinch_error err = {0};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		assert_int_equal(cli_update_parse_size("memory", good[i].text, &v, &err), 0);
		assert_int_equal(v, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(cli_update_parse_size("memory", bad[i], &v, &err) < 0);
		assert_non_null(strstr(err.msg, "invalid value for memory"));
	}
}

static void test_flags(void **state)
{
	struct cinch_resources *r = calloc(1, sizeof(*r));
	struct cinch_error err = {0};
	bool kernel = false;

	(void)state;
	assert_int_equal(cli_update_set_flag(r, UPD_MEMORY, "64m", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_MEMORY_SWAP, "-1", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_PIDS_LIMIT, "-1", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_CPU_QUOTA, "-1", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_CPU_PERIOD, "100000", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_CPU_SHARE, "512", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_CPUSET_CPUS, "0-1", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_BLKIO_WEIGHT, "300", &err), 0);
	assert_int_equal(cli_update_set_flag(r, UPD_KERNEL_MEMORY, "10m", &err), 0);
	assert_int_equal(r->memory->limit.value, 64 << 20);
	assert_int_equal(r->memory->swap.value, -1);
	assert_int_equal(r->pids->limit.value, -1);
	assert_int_equal(r->cpu->quota.value, -1);
	assert_int_equal(r->cpu->period.value, 100000);
	assert_int_equal(r->cpu->shares.value, 512);
	assert_string_equal(r->cpu->cpus, "0-1");
	assert_int_equal(r->block_io->weight.value, 300);

	assert_true(cli_update_set_flag(r, UPD_CPU_PERIOD, "-5", &err) < 0);
	assert_non_null(strstr(err.msg, "cpu-period"));
	assert_true(cli_update_set_flag(r, UPD_CPU_QUOTA, "abc", &err) < 0);
	assert_non_null(strstr(err.msg, "cpu-quota"));
	assert_true(cli_update_set_flag(r, UPD_PIDS_LIMIT, "", &err) < 0);
	assert_true(cli_update_set_flag(r, UPD_BLKIO_WEIGHT, "70000", &err) < 0);
	assert_true(cli_update_set_flag(r, UPD_L3_CACHE_SCHEMA, "L3:0=f", &err) < 0);
	assert_non_null(strstr(err.msg, "not supported"));
	assert_true(cli_update_set_flag(r, UPD_MEM_BW_SCHEMA, "MB:0=50", &err) < 0);

	cli_update_sanitize(r, &kernel);
	assert_true(kernel);
	assert_false(r->memory->kernel.present);
	cinch_resources_free(r);
}

/* CRI's document: the device list and a 0 pids limit are dropped. */
static void test_sanitize(void **state)
{
	static const char doc[] = "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
				  "\"memory\":{\"limit\":1048576,\"kernel\":0},"
				  "\"pids\":{\"limit\":0}}";
	struct cinch_resources *r = NULL;
	struct cinch_error err = {0};
	bool kernel = false;

	(void)state;
	assert_int_equal(cinch_resources_load_buffer(doc, strlen(doc), "t", &r, &err), 0);
	assert_int_equal(r->devices.len, 1);
	cli_update_sanitize(r, &kernel);
	assert_int_equal(r->devices.len, 0);
	assert_false(r->devices.present);
	assert_null(r->pids);
	assert_true(kernel); /* "kernel": 0 present is still warned about, as runc */
	assert_int_equal(r->memory->limit.value, 1048576);
	cinch_resources_free(r);
}

static void test_complete_cpu(void **state)
{
	struct cinch_cpu old_cpu = {.quota = {20000, true}, .period = {50000, true}};
	struct cinch_resources stored = {.cpu = &old_cpu};
	struct cinch_cpu cpu = {.quota = {10000, true}};
	struct cinch_resources upd = {.cpu = &cpu};

	(void)state;
	cli_update_complete_cpu(&upd, &stored);
	assert_int_equal(cpu.period.value, 50000); /* kept from the container */
	cpu = (struct cinch_cpu){.period = {200000, true}, .quota = {0, true}};
	cli_update_complete_cpu(&upd, &stored);
	assert_int_equal(cpu.quota.value, 20000);
	cpu = (struct cinch_cpu){.period = {0, true}, .quota = {0, true}};
	cli_update_complete_cpu(&upd, &stored);
	assert_int_equal(cpu.quota.value, 0); /* both unchanged: nothing filled */
	assert_int_equal(cpu.period.value, 0);
}

static void test_merge(void **state)
{
	static const char stored_doc[] =
	    "{\"memory\":{\"limit\":1000000,\"swap\":2000000},\"cpu\":{\"shares\":1024,"
	    "\"quota\":5000,\"cpus\":\"0\"},\"pids\":{\"limit\":64},"
	    "\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1}]},"
	    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}";
	static const char upd_doc[] =
	    "{\"memory\":{\"limit\":3000000,\"swap\":0},\"cpu\":{\"shares\":0,\"quota\":7000,"
	    "\"cpus\":\"\"},\"pids\":{\"limit\":-1},"
	    "\"blockIO\":{\"weight\":0,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,"
	    "\"rate\":9},{\"major\":8,\"minor\":16,\"rate\":5}]},"
	    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4},{\"pageSize\":\"1GB\","
	    "\"limit\":0}],\"unified\":{\"memory.high\":\"5000000\"}}";
	struct cinch_resources *stored = NULL, *upd = NULL;
	struct cinch_error err = {0};

	(void)state;
	assert_int_equal(
	    cinch_resources_load_buffer(stored_doc, strlen(stored_doc), "s", &stored, &err), 0);
	assert_int_equal(cinch_resources_load_buffer(upd_doc, strlen(upd_doc), "u", &upd, &err), 0);
	assert_int_equal(cli_update_merge(stored, upd, &err), 0);
	assert_int_equal(stored->memory->limit.value, 3000000);
	assert_int_equal(stored->memory->swap.value, 2000000); /* 0 = unchanged */
	assert_int_equal(stored->cpu->shares.value, 1024);
	assert_int_equal(stored->cpu->quota.value, 7000);
	assert_string_equal(stored->cpu->cpus, "0");
	assert_int_equal(stored->pids->limit.value, -1);
	assert_int_equal(stored->block_io->throttle_read_bps.len, 2);
	assert_int_equal(stored->block_io->throttle_read_bps.items[0].rate, 9);
	assert_int_equal(stored->block_io->throttle_read_bps.items[1].minor, 16);
	assert_int_equal(stored->hugepage_limits.len, 2);
	assert_int_equal(stored->hugepage_limits.items[0].limit, 4);
	assert_string_equal(stored->hugepage_limits.items[1].page_size, "1GB");
	assert_string_equal(cinch_map_get(&stored->unified, "memory.high"), "5000000");
	cinch_resources_free(stored);
	cinch_resources_free(upd);
}

static void test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t ns;
	} good[] = {
	    {"5s", 5000000000LL},
	    {"100ms", 100000000LL},
	    {"1m", 60000000000LL},
	    {"1m30s", 90000000000LL},
	    {"1.5h", 5400000000000LL},
	    {"250us", 250000LL},
	    {"7ns", 7},
	    {"0", 0},
	    {"\xc2\xb5s", -1},
	};
	static const char *const bad[] = {"", "5", "5x", "s", "-1s", "1..5s", "5s3", "ms"};
	struct cinch_error err = {0};
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (good[i].ns < 0) {
			assert_true(cli_parse_duration(good[i].text, &v, &err) < 0);
			continue;
		}
		assert_int_equal(cli_parse_duration(good[i].text, &v, &err), 0);
		assert_int_equal(v, good[i].ns);
	}
	assert_int_equal(cli_parse_duration("3\xc2\xb5s", &v, &err), 0);
	assert_int_equal(v, 3000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(cli_parse_duration(bad[i], &v, &err) < 0);
		assert_non_null(strstr(err.msg, "--interval"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_sanitize), cmocka_unit_test(test_complete_cpu),
	    cmocka_unit_test(test_merge),    cmocka_unit_test(test_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
