/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 device control: a BPF_PROG_TYPE_CGROUP_DEVICE program assembled
 * here from the effective rule list (no libbpf), loaded and attached with
 * raw bpf(2). Attached with BPF_F_ALLOW_MULTI so programs of parent cgroups
 * (systemd's) still apply; a program of ours attached earlier to the same
 * cgroup is detached afterwards, so re-applying replaces rather than stacks.
 *
 * Program shape: load the request into w2 (type), w3 (access), w4 (major),
 * w5 (minor); then one block per rule, last rule first, so the first block
 * that matches decides ("last rule wins", as with the v1 controller). An
 * allow rule matches when every requested access bit is in the rule; a deny
 * rule matches when any requested bit is. No match: deny.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

#define CG_BPF_PROG_NAME "cinch_devices"

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off)	     INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm)	     INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src)	     INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define JMP32_IMM(op, dst, imm, off) INSN(BPF_JMP32 | (op) | BPF_K, dst, 0, off, imm)
#define EXIT_INSN()		     INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static bool rule_unconditional(const struct cg_dev_rule *r)
{
	return r->type == 'a' && r->access == CG_DEV_ALL;
}

static size_t emit_rule(const struct cg_dev_rule *r, struct bpf_insn *out)
{
	bool check_type = r->type != 'a';
	bool check_access = r->access != CG_DEV_ALL;
	bool check_major = r->type != 'a' && r->major >= 0;
	bool check_minor = r->type != 'a' && r->minor >= 0;
	int16_t len = (int16_t)((check_type ? 1 : 0) + (check_access ? 3 : 0) +
				(check_major ? 1 : 0) + (check_minor ? 1 : 0) + 2);
	int16_t i = 0;

	/* A failed test jumps past the rest of this block. */
	if (check_type) {
		int t = r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
		out[i] = JMP32_IMM(BPF_JNE, BPF_REG_2, t, len - i - 1);
		i++;
	}
	if (check_access) {
		out[i++] = MOV32_REG(BPF_REG_1, BPF_REG_3);
		if (r->allow) {
			out[i++] = ALU32_IMM(BPF_AND, BPF_REG_1, (int)(~r->access & CG_DEV_ALL));
			out[i] = JMP32_IMM(BPF_JNE, BPF_REG_1, 0, len - i - 1);
		} else {
			out[i++] = ALU32_IMM(BPF_AND, BPF_REG_1, (int)r->access);
			out[i] = JMP32_IMM(BPF_JEQ, BPF_REG_1, 0, len - i - 1);
		}
		i++;
	}
	if (check_major) {
		out[i] = JMP32_IMM(BPF_JNE, BPF_REG_4, (int)(uint32_t)r->major, len - i - 1);
		i++;
	}
	if (check_minor) {
		out[i] = JMP32_IMM(BPF_JNE, BPF_REG_5, (int)(uint32_t)r->minor, len - i - 1);
		i++;
	}
	out[i++] = ALU32_IMM(BPF_MOV, BPF_REG_0, r->allow ? 1 : 0);
	out[i++] = EXIT_INSN();
	return (size_t)i;
}

int cg_bpf_devices_program(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **ret,
			   size_t *ret_len, struct cinch_error *err)
{
	_cleanup_free_ struct bpf_insn *prog = calloc(6 + 8 * n + 2, sizeof(*prog));
	size_t k = 0;
	bool ended = false;

	if (!prog)
		return cinch_error_errno(err, ENOMEM, "device BPF program");
	/* ctx: struct bpf_cgroup_dev_ctx { access_type, major, minor } */
	prog[k++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
	prog[k++] = MOV32_REG(BPF_REG_3, BPF_REG_2);
	prog[k++] = ALU32_IMM(BPF_RSH, BPF_REG_3, 16);
	prog[k++] = ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff);
	prog[k++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
	prog[k++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
	for (size_t i = n; i > 0; i--) {
		const struct cg_dev_rule *r = &rules[i - 1];

		if (r->access == 0)
			continue;
		k += emit_rule(r, prog + k);
		/* Nothing after an unconditional rule is reachable, and the
		 * verifier rejects unreachable instructions. */
		if (rule_unconditional(r)) {
			ended = true;
			break;
		}
	}
	if (!ended) {
		prog[k++] = ALU32_IMM(BPF_MOV, BPF_REG_0, 0);
		prog[k++] = EXIT_INSN();
	}
	*ret = steal_pointer(&prog);
	*ret_len = k;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : (int)r;
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	memset(info, 0, sizeof(*info));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(*info);
	attr.info.info = (uint64_t)(uintptr_t)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr);
}

/* Detach programs of ours other than keep_id from the cgroup. */
static int detach_old(int cgfd, uint32_t keep_id, const char *dir, struct cinch_error *err)
{
	uint32_t ids[64];
	union bpf_attr attr;
	int r;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = N_ELEMENTS(ids);
	r = sys_bpf(BPF_PROG_QUERY, &attr);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v2 devices: querying programs on %s",
					 dir);
	for (uint32_t i = 0; i < attr.query.prog_cnt && i < N_ELEMENTS(ids); i++) {
		_cleanup_close_ int fd = -1;
		struct bpf_prog_info info;
		union bpf_attr a;

		if (ids[i] == keep_id)
			continue;
		memset(&a, 0, sizeof(a));
		a.prog_id = ids[i];
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue; /* gone meanwhile */
		if (prog_info(fd, &info) < 0 || strcmp(info.name, CG_BPF_PROG_NAME) != 0)
			continue;
		memset(&a, 0, sizeof(a));
		a.target_fd = (uint32_t)cgfd;
		a.attach_bpf_fd = (uint32_t)fd;
		a.attach_type = BPF_CGROUP_DEVICE;
		r = sys_bpf(BPF_PROG_DETACH, &a);
		if (r < 0 && r != -ENOENT)
			return cinch_error_errno(
			    err, -r,
			    "cgroup v2 devices: detaching the previous program "
			    "from %s",
			    dir);
	}
	return 0;
}

int cg_bpf_devices_apply(const char *cgroup_dir, const struct cg_dev_rule *rules, size_t n,
			 struct cinch_error *err)
{
	_cleanup_free_ struct bpf_insn *prog = NULL;
	_cleanup_free_ char *log = NULL;
	_cleanup_close_ int progfd = -1, cgfd = -1;
	struct bpf_prog_info info;
	union bpf_attr attr;
	size_t len;
	int r;

	r = cg_bpf_devices_program(rules, n, &prog, &len, err);
	if (r < 0)
		return r;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)len;
	attr.license = (uint64_t)(uintptr_t) "Apache-2.0";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "%s", CG_BPF_PROG_NAME);
	progfd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (progfd < 0) {
		int e = -progfd;

		/* Load again with the verifier log for the error message. */
		log = calloc(1, 4096);
		if (log) {
			attr.log_buf = (uint64_t)(uintptr_t)log;
			attr.log_size = 4096;
			attr.log_level = 1;
			sys_bpf(BPF_PROG_LOAD, &attr);
			for (char *p = log; *p; p++)
				if (*p == '\n')
					*p = ' ';
		}
		return cinch_error_set(err, e, "cgroup v2 devices: loading the BPF program: %s%s%s",
				       strerror(e), log && log[0] ? ": " : "", log ? log : "");
	}
	cgfd = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return cinch_error_errno(err, errno, "cgroup v2 devices: %s", cgroup_dir);
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)progfd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	r = sys_bpf(BPF_PROG_ATTACH, &attr);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v2 devices: attaching the program to %s",
					 cgroup_dir);
	r = prog_info(progfd, &info);
	if (r < 0)
		return cinch_error_errno(err, -r, "cgroup v2 devices: program info");
	return detach_old(cgfd, info.id, cgroup_dir, err);
}
