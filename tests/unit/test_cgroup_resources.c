/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup: resources -> interface-file plans (v2 conversions, v1 names),
 * unified key validation, the default device list, and the generated
 * device BPF program, run through a small interpreter of the opcodes it uses. */
#include <errno.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

static void shares_convert_to_weight_as_runc_does(void **state)
{
	assert_int_equal(cg_shares_to_weight(0), 0); /* unset */
	assert_int_equal(cg_shares_to_weight(2), 1);
	assert_int_equal(cg_shares_to_weight(1024), 39);
	assert_int_equal(cg_shares_to_weight(262144), 10000);
	assert_int_equal(cg_shares_to_weight(1), 1);	       /* clamped like the kernel */
	assert_int_equal(cg_shares_to_weight(1000000), 10000); /* clamped */
	assert_int_equal(cg_blkio_weight_to_io_weight(10), 1);
	assert_int_equal(cg_blkio_weight_to_io_weight(1000), 10000);
	assert_int_equal(cg_blkio_weight_to_io_weight(500), 1 + (490 * 9999) / 990);
}

static void swap_maps_to_swap_only_on_v2(void **state)
{
	struct cinch_error err = {0};
	int64_t v = 7;

	assert_int_equal(cg_swap_to_v2(200, 100, &v, &err), 0);
	assert_int_equal(v, 100);
	assert_int_equal(cg_swap_to_v2(100, 100, &v, &err), 0);
	assert_int_equal(v, 0); /* Kubernetes: swap == limit: no swap */
	assert_int_equal(cg_swap_to_v2(-1, 100, &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(cg_swap_to_v2(0, -1, &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(cg_swap_to_v2(0, 100, &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cg_swap_to_v2(50, 100, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "lower than the memory limit"));
	assert_int_equal(cg_swap_to_v2(200, 0, &v, &err), -EINVAL);
}

static void unified_keys_are_validated(void **state)
{
	const char *good[] = {"memory.high",	 "pids.max",	     "cpu.max.burst",	"io.weight",
			      "hugetlb.2MB.max", "cgroup.max.depth", "memory.oom.group"};
	const char *bad[] = {"",
			     "../x",
			     "memory/../../x",
			     "cgroup.procs",
			     "cgroup.subtree_control",
			     "cgroup.kill",
			     "nocontroller",
			     "bogus.max",
			     ".hidden",
			     "memory..max",
			     "memory.max\n"};
	struct cinch_error err = {0};

	for (size_t i = 0; i < N_ELEMENTS(good); i++)
		assert_int_equal(cg_unified_key_check(good[i], &err), 0);
	for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
		cinch_error_clear(&err);
		assert_true(cg_unified_key_check(bad[i], &err) < 0);
		assert_non_null(strstr(err.msg, "linux.resources.unified"));
	}
	cg_unified_key_check("cgroup.procs", &err);
	assert_non_null(strstr(err.msg, "\"cgroup.procs\""));
}

static const char *plan_value(const struct cg_plan *p, const char *file)
{
	const struct cg_write *w = cg_plan_find(p, file);

	return w ? w->value : NULL;
}

static void v2_plan_applies_everything(void **state)
{
	struct cinch_memory mem = {
	    .limit = {4194304, true}, .reservation = {1048576, true}, .swap = {8388608, true}};
	struct cinch_cpu cpu = {.shares = {1024, true},
				.quota = {50000, true},
				.period = {100000, true},
				.burst = {1000, true},
				.idle = {1, true},
				.cpus = (char *)"0-1",
				.mems = (char *)"0"};
	struct cinch_pids pids = {.limit = {5, true}};
	struct cinch_throttle_device td = {8, 0, 1048576};
	struct cinch_block_io bio = {.weight = {500, true}, .throttle_read_bps = {&td, 1, true}};
	struct cinch_hugepage_limit hl = {(char *)"2MB", 0};
	struct cinch_kv kv = {(char *)"memory.high", (char *)"3000000"};
	struct cinch_resources r = {.memory = &mem,
				    .cpu = &cpu,
				    .pids = &pids,
				    .block_io = &bio,
				    .hugepage_limits = {&hl, 1, true},
				    .unified = {&kv, 1, true}};
	struct cinch_error err = {0};
	struct cg_plan p = {0};
	const struct cg_write *w;

	assert_int_equal(cg_v2_plan(&r, false, &p, &err), 0);
	assert_string_equal(plan_value(&p, "memory.max"), "4194304");
	assert_string_equal(plan_value(&p, "memory.low"), "1048576");
	assert_string_equal(plan_value(&p, "memory.swap.max"), "4194304");
	assert_string_equal(plan_value(&p, "cpu.weight"), "39");
	assert_string_equal(plan_value(&p, "cpu.max"), "50000 100000");
	assert_string_equal(plan_value(&p, "cpu.max.burst"), "1000");
	assert_string_equal(plan_value(&p, "cpu.idle"), "1");
	assert_string_equal(plan_value(&p, "cpuset.cpus"), "0-1");
	assert_string_equal(plan_value(&p, "pids.max"), "5");
	assert_string_equal(plan_value(&p, "io.max"), "8:0 rbps=1048576");
	assert_string_equal(plan_value(&p, "hugetlb.2MB.max"), "0");
	w = cg_plan_find(&p, "io.bfq.weight");
	assert_non_null(w);
	assert_string_equal(w->value, "500");
	assert_string_equal(w->alt_file, "io.weight");
	/* unified comes last so it wins over the typed fields */
	assert_string_equal(p.items[p.len - 1].file, "memory.high");
	assert_true(p.items[p.len - 1].from_unified);
	/* deny-all, then the defaults */
	assert_true(p.devices);
	assert_false(p.dev_rules[0].allow);
	assert_int_equal(p.dev_rules[0].type, 'a');
	cg_plan_free(&p);
}

static void v2_update_treats_zero_as_unchanged(void **state)
{
	/* Docker's update body */
	struct cinch_memory mem = {.limit = {134217728, true},
				   .reservation = {0, true},
				   .swap = {268435456, true},
				   .kernel = {0, true}};
	struct cinch_cpu cpu = {.shares = {0, true}, .quota = {0, true}, .period = {0, true}};
	struct cinch_block_io bio = {.weight = {0, true}};
	struct cinch_device_rule deny = {.allow = false, .access = (char *)"rwm"};
	struct cinch_resources r = {
	    .memory = &mem, .cpu = &cpu, .block_io = &bio, .devices = {&deny, 1, true}};
	struct cinch_error err = {0};
	struct cg_plan p = {0};

	assert_int_equal(cg_v2_plan(&r, true, &p, &err), 0);
	assert_int_equal(p.len, 2);
	assert_string_equal(plan_value(&p, "memory.max"), "134217728");
	assert_string_equal(plan_value(&p, "memory.swap.max"), "134217728");
	assert_false(p.devices); /* CRI's deny-all is never applied on update */
	cg_plan_free(&p);
}

static void v2_rejects_what_it_cannot_apply(void **state)
{
	struct cinch_memory mem = {.kernel = {1000000, true}};
	struct cinch_cpu cpu = {.realtime_runtime = {1000, true}};
	struct cinch_network net = {.class_id = {1, true}};
	struct cinch_resources r1 = {.memory = &mem}, r2 = {.cpu = &cpu}, r3 = {.network = &net};
	struct cinch_error err = {0};
	struct cg_plan p = {0};

	assert_true(cg_v2_plan(&r1, false, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "cgroup v2 memory"));
	cg_plan_free(&p);
	assert_true(cg_v2_plan(&r2, false, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "cgroup v2 cpu"));
	cg_plan_free(&p);
	assert_true(cg_v2_plan(&r3, false, &p, &err) < 0);
	cg_plan_free(&p);
}

static void v1_plan_uses_v1_names(void **state)
{
	struct cinch_memory mem = {.limit = {4096, true},
				   .swap = {8192, true},
				   .reservation = {1024, true},
				   .swappiness = {10, true},
				   .disable_oom_killer = {true, true}};
	struct cinch_cpu cpu = {
	    .shares = {512, true}, .quota = {20000, true}, .period = {50000, true}};
	struct cinch_pids pids = {.limit = {-1, true}};
	struct cinch_block_io bio = {.weight = {0, true}};
	struct cinch_resources r = {.memory = &mem, .cpu = &cpu, .pids = &pids, .block_io = &bio};
	struct cinch_error err = {0};
	struct cg_plan p = {0};

	assert_int_equal(cg_v1_plan(&r, false, &p, &err), 0);
	assert_string_equal(plan_value(&p, "memory.limit_in_bytes"), "4096");
	assert_string_equal(plan_value(&p, "memory.memsw.limit_in_bytes"), "8192");
	assert_string_equal(plan_value(&p, "memory.soft_limit_in_bytes"), "1024");
	assert_string_equal(plan_value(&p, "memory.swappiness"), "10");
	assert_string_equal(plan_value(&p, "memory.oom_control"), "1");
	assert_string_equal(plan_value(&p, "cpu.shares"), "512");
	assert_string_equal(plan_value(&p, "cpu.cfs_quota_us"), "20000");
	assert_string_equal(plan_value(&p, "pids.max"), "max");
	assert_null(cg_plan_find(&p, "blkio.weight")); /* weight 0 = unset */
	cg_plan_free(&p);
}

static void device_defaults_follow_the_spec_rules(void **state)
{
	struct cinch_device_rule rules[] = {{.allow = false, .access = (char *)"rwm"},
					    {.allow = true,
					     .type = (char *)"c",
					     .major = {10, true},
					     .minor = {229, true},
					     .access = (char *)"rw"}};
	struct cinch_device_rules dr = {rules, 2, true};
	struct cinch_device_rule badr = {
	    .allow = true, .type = (char *)"x", .access = (char *)"rwm"};
	struct cinch_device_rules bad = {&badr, 1, true};
	struct cinch_error err = {0};
	struct cg_dev_rule *out = NULL;
	size_t n = 0;
	char line[64];
	bool null_allowed = false;

	assert_int_equal(cg_devices_effective(&dr, &out, &n, &err), 0);
	assert_true(n > 3);
	assert_false(out[0].allow);
	assert_false(out[1].allow);
	assert_true(out[2].allow);
	assert_int_equal(out[2].major, 10);
	assert_int_equal(out[2].access, CG_DEV_READ | CG_DEV_WRITE);
	for (size_t i = 3; i < n; i++)
		null_allowed |= out[i].allow && out[i].type == 'c' && out[i].major == 1 &&
				out[i].minor == 3 && out[i].access == CG_DEV_ALL;
	assert_true(null_allowed);
	assert_int_equal(cg_dev_rule_format_v1(&out[2], line, sizeof(line)), 0);
	assert_string_equal(line, "c 10:229 rw");
	assert_int_equal(cg_dev_rule_format_v1(&out[0], line, sizeof(line)), 0);
	assert_string_equal(line, "a");
	free(out);
	assert_int_equal(cg_devices_effective(&bad, &out, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.devices[0].type"));
}

/* A tiny interpreter for the instructions the generator emits. */
static int run_prog(const struct bpf_insn *prog, size_t len, uint32_t type, uint32_t access,
		    uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = {(access << 16) | type, major, minor};
	uint64_t reg[11] = {0};
	size_t pc = 0;

	for (unsigned steps = 0; steps < 10000; steps++) {
		const struct bpf_insn *in;
		uint8_t cls;

		assert_true(pc < len);
		in = &prog[pc];
		cls = BPF_CLASS(in->code);
		if (in->code == (BPF_LDX | BPF_MEM | BPF_W)) {
			assert_int_equal(in->src_reg, BPF_REG_1);
			assert_true(in->off >= 0 && in->off <= 8 && in->off % 4 == 0);
			reg[in->dst_reg] = ctx[in->off / 4];
		} else if (cls == BPF_ALU) {
			uint32_t src = BPF_SRC(in->code) == BPF_X ? (uint32_t)reg[in->src_reg]
								  : (uint32_t)in->imm;
			uint32_t d = (uint32_t)reg[in->dst_reg];
			switch (BPF_OP(in->code)) {
			case BPF_MOV:
				d = src;
				break;
			case BPF_AND:
				d &= src;
				break;
			case BPF_RSH:
				d >>= src;
				break;
			default:
				fail_msg("unexpected ALU op %#x", in->code);
			}
			reg[in->dst_reg] = d;
		} else if (in->code == (BPF_JMP | BPF_EXIT)) {
			return (int)reg[0];
		} else if (cls == BPF_JMP32) {
			uint32_t d = (uint32_t)reg[in->dst_reg];
			bool take = false;
			assert_int_equal(BPF_SRC(in->code), BPF_K);
			if (BPF_OP(in->code) == BPF_JNE)
				take = d != (uint32_t)in->imm;
			else if (BPF_OP(in->code) == BPF_JEQ)
				take = d == (uint32_t)in->imm;
			else
				fail_msg("unexpected jump %#x", in->code);
			assert_true(in->off >= 0); /* forward only: no loops */
			if (take)
				pc += (size_t)in->off;
		} else {
			fail_msg("unexpected instruction %#x", in->code);
		}
		pc++;
	}
	fail_msg("program did not exit");
	return -1;
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R   BPF_DEVCG_ACC_READ
#define W   BPF_DEVCG_ACC_WRITE
#define M   BPF_DEVCG_ACC_MKNOD

static void bpf_program_implements_the_rules(void **state)
{
	/* CRI: deny-all only; Docker-like: deny fuse write explicitly */
	struct cinch_device_rule rules[] = {{.allow = false, .access = (char *)"rwm"},
					    {.allow = true,
					     .type = (char *)"c",
					     .major = {10, true},
					     .minor = {229, true},
					     .access = (char *)"rwm"},
					    {.allow = false,
					     .type = (char *)"c",
					     .major = {10, true},
					     .minor = {229, true},
					     .access = (char *)"w"}};
	struct cinch_device_rules dr = {rules, 3, true};
	struct cinch_error err = {0};
	_cleanup_free_ struct cg_dev_rule *eff = NULL;
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t n = 0, len = 0;

	assert_int_equal(cg_devices_effective(&dr, &eff, &n, &err), 0);
	assert_int_equal(cg_bpf_devices_program(eff, n, &prog, &len, &err), 0);
	/* prologue loads the three ctx fields, epilogue exits */
	assert_int_equal(prog[0].code, BPF_LDX | BPF_MEM | BPF_W);
	assert_int_equal(prog[len - 1].code, BPF_JMP | BPF_EXIT);
	for (size_t i = 0; i < len; i++)
		if (BPF_CLASS(prog[i].code) == BPF_JMP32)
			assert_true(i + 1 + (size_t)prog[i].off < len);

	assert_int_equal(run_prog(prog, len, CHR, R | W, 1, 3), 1);    /* null */
	assert_int_equal(run_prog(prog, len, CHR, R, 136, 7), 1);      /* pts */
	assert_int_equal(run_prog(prog, len, CHR, R, 1, 11), 0);       /* kmsg */
	assert_int_equal(run_prog(prog, len, BLK, R, 8, 0), 0);	       /* sda */
	assert_int_equal(run_prog(prog, len, BLK, M, 8, 0), 1);	       /* mknod ok */
	assert_int_equal(run_prog(prog, len, CHR, R, 10, 229), 1);     /* fuse read */
	assert_int_equal(run_prog(prog, len, CHR, R | W, 10, 229), 0); /* fuse write denied */
}

static void bpf_allow_all_ends_the_program(void **state)
{
	struct cinch_device_rule all = {.allow = true, .access = (char *)"rwm"};
	struct cinch_device_rules dr = {&all, 1, true};
	struct cinch_error err = {0};
	_cleanup_free_ struct cg_dev_rule *eff = NULL;
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t n = 0, len = 0;

	assert_int_equal(cg_devices_effective(&dr, &eff, &n, &err), 0);
	assert_int_equal(cg_bpf_devices_program(eff, n, &prog, &len, &err), 0);
	assert_int_equal(run_prog(prog, len, BLK, R | W, 8, 0), 1);
	/* defaults come after the allow-all, then the allow-all is
	 * unconditional: nothing after it may be emitted (verifier) */
	assert_int_equal(prog[len - 1].code, BPF_JMP | BPF_EXIT);
	assert_int_equal(prog[len - 2].imm, 1);
	assert_int_equal(prog[len - 2].code, BPF_ALU | BPF_MOV | BPF_K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shares_convert_to_weight_as_runc_does),
	    cmocka_unit_test(swap_maps_to_swap_only_on_v2),
	    cmocka_unit_test(unified_keys_are_validated),
	    cmocka_unit_test(v2_plan_applies_everything),
	    cmocka_unit_test(v2_update_treats_zero_as_unchanged),
	    cmocka_unit_test(v2_rejects_what_it_cannot_apply),
	    cmocka_unit_test(v1_plan_uses_v1_names),
	    cmocka_unit_test(device_defaults_follow_the_spec_rules),
	    cmocka_unit_test(bpf_program_implements_the_rules),
	    cmocka_unit_test(bpf_allow_all_ends_the_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
