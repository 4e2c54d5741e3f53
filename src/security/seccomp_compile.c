/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI linux.seccomp -> classic BPF, in the runtime, before any container
 * process exists. libseccomp builds the filter and exports it; the program
 * is kept as a sock_filter array so the container's init only has to call
 * seccomp(2) (seccomp_install.c), and so it can be cached by profile hash
 * (seccomp_cache.c).
 *
 * Semantics follow the runtime-spec and what engines expect of runc:
 * syscall names libseccomp cannot resolve are skipped (profiles list
 * syscalls newer than the library); the native architecture is always
 * included; several conditions on the same argument become separate rules
 * (OR), otherwise one rule with all conditions (AND); rules whose action is
 * the default action are dropped (libseccomp refuses them, they change
 * nothing); without "flags" SPEC_ALLOW is used, as runc and crun do.
 *
 * A denying profile written before a syscall existed would deny it with its
 * default action (usually EPERM), and programs that probe a new syscall
 * before falling back to an old one (glibc: faccessat2, clone3, fchmodat2)
 * then fail. Syscalls numbered above every one the profile names get ENOSYS
 * instead, so callers take their fallback; they stay denied.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/security.h"
#include "src/security/security-internal.h"

#define SECCOMP_MAX_ARGS 6

static void cleanup_seccomp_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_seccomp_ __attribute__((cleanup(cleanup_seccomp_ctx)))

int security_seccomp_flags(const struct cinch_seccomp *profile, unsigned *ret,
			   struct cinch_error *err)
{
	unsigned all = 0, one;

	if (!profile->flags.present) {
		*ret = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		return 0;
	}
	for (size_t i = 0; i < profile->flags.len; i++) {
		if (security_seccomp_flag(profile->flags.items[i], &one) < 0)
			return cinch_error_set(
			    err, EINVAL, ".linux.seccomp.flags[%zu]: unknown seccomp flag \"%s\"",
			    i, profile->flags.items[i]);
		all |= one;
	}
	*ret = all;
	return 0;
}

static int default_action(const struct cinch_seccomp *profile, uint32_t *ret,
			  struct cinch_error *err)
{
	if (!profile->default_action)
		return cinch_error_set(err, EINVAL, ".linux.seccomp.defaultAction: missing");
	return security_seccomp_action(profile->default_action, &profile->default_errno_ret,
				       ".linux.seccomp.defaultAction", ret, err);
}

static int add_architectures(scmp_filter_ctx ctx, const struct cinch_seccomp *profile,
			     struct cinch_error *err)
{
	for (size_t i = 0; i < profile->architectures.len; i++) {
		const char *name = profile->architectures.items[i];
		uint32_t token;
		int r;

		if (security_seccomp_arch(name, &token) < 0)
			return cinch_error_set(err, EINVAL,
					       ".linux.seccomp.architectures[%zu]: unknown "
					       "architecture \"%s\"",
					       i, name);
		r = seccomp_arch_add(ctx, token);
		/* -EEXIST: the native arch (always present) or a duplicate. */
		if (r < 0 && r != -EEXIST)
			return cinch_error_errno(err, -r, ".linux.seccomp.architectures[%zu]: %s",
						 i, name);
	}
	return 0;
}

static int build_conditions(const struct cinch_seccomp_syscall *sc, size_t idx,
			    struct scmp_arg_cmp *cmps, bool *same_index, struct cinch_error *err)
{
	*same_index = false;
	if (sc->args.len > SECCOMP_MAX_ARGS)
		return cinch_error_set(err, EINVAL,
				       ".linux.seccomp.syscalls[%zu].args: %zu conditions, at most "
				       "%d are possible",
				       idx, sc->args.len, SECCOMP_MAX_ARGS);
	for (size_t j = 0; j < sc->args.len; j++) {
		const struct cinch_seccomp_arg *a = &sc->args.items[j];
		int op;

		if (a->index >= SECCOMP_MAX_ARGS)
			return cinch_error_set(
			    err, EINVAL,
			    ".linux.seccomp.syscalls[%zu].args[%zu].index: %u is "
			    "not a syscall argument (0-5)",
			    idx, j, a->index);
		if (security_seccomp_op(a->op, &op) < 0)
			return cinch_error_set(err, EINVAL,
					       ".linux.seccomp.syscalls[%zu].args[%zu].op: unknown "
					       "operator \"%s\"",
					       idx, j, a->op ? a->op : "");
		for (size_t k = 0; k < j; k++)
			if (sc->args.items[k].index == a->index)
				*same_index = true;
		cmps[j] = (struct scmp_arg_cmp){
		    .arg = a->index,
		    .op = (enum scmp_compare)op,
		    .datum_a = a->value,
		    .datum_b = a->value_two.present ? a->value_two.value : 0,
		};
	}
	return 0;
}

static int add_syscall_rules(scmp_filter_ctx ctx, const struct cinch_seccomp_syscall *sc,
			     size_t idx, uint32_t def, bool *uses_notify, struct cinch_error *err)
{
	struct scmp_arg_cmp cmps[SECCOMP_MAX_ARGS];
	char path[64];
	bool same_index;
	uint32_t action;
	int r;

	snprintf(path, sizeof(path), ".linux.seccomp.syscalls[%zu].action", idx);
	r = security_seccomp_action(sc->action, &sc->errno_ret, path, &action, err);
	if (r < 0)
		return r;
	if (sc->names.len == 0)
		return cinch_error_set(err, EINVAL, ".linux.seccomp.syscalls[%zu].names: empty",
				       idx);
	r = build_conditions(sc, idx, cmps, &same_index, err);
	if (r < 0)
		return r;
	if (action == def)
		return 0;
	for (size_t k = 0; k < sc->names.len; k++) {
		int nr = seccomp_syscall_resolve_name(sc->names.items[k]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		if (same_index) {
			for (size_t j = 0; j < sc->args.len && r >= 0; j++)
				r = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[j]);
		} else {
			r = seccomp_rule_add_array(ctx, action, nr, (unsigned)sc->args.len, cmps);
		}
		if (r < 0)
			return cinch_error_errno(
			    err, -r, ".linux.seccomp.syscalls[%zu]: adding rule for \"%s\"", idx,
			    sc->names.items[k]);
		if (action == SCMP_ACT_NOTIFY)
			*uses_notify = true;
	}
	return 0;
}

/* The highest native syscall number the profile names (-1 for none). */
static int highest_named_syscall(const struct cinch_seccomp *profile)
{
	int max = -1;

	for (size_t i = 0; i < profile->syscalls.len; i++)
		for (size_t k = 0; k < profile->syscalls.items[i].names.len; k++) {
			int nr =
			    seccomp_syscall_resolve_name(profile->syscalls.items[i].names.items[k]);

			if (nr > max)
				max = nr;
		}
	return max;
}

/* Syscalls newer than the profile answer ENOSYS (see the top comment). */
static int add_newer_syscalls_enosys(scmp_filter_ctx ctx, const struct cinch_seccomp *profile,
				     uint32_t def, struct cinch_error *err)
{
	/* Native syscall numbers stay far below this on every architecture
	 * libseccomp knows (x32's live above 512, but x32 is not native). */
	const int limit = 1024;
	int first = highest_named_syscall(profile) + 1;

	if (def == SCMP_ACT_ALLOW || def == SCMP_ACT_LOG || def == SCMP_ACT_ERRNO(ENOSYS) ||
	    first <= 0)
		return 0;
	for (int nr = first; nr < limit; nr++) {
		_cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		int r;

		if (!name)
			continue; /* libseccomp cannot name it: nothing to translate */
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0 && r != -EEXIST)
			return cinch_error_errno(err, -r,
						 "seccomp: ENOSYS rule for newer syscall %s", name);
	}
	return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct cinch_seccomp_filter *f, struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ void *buf = NULL;
	struct stat st;
	ssize_t n;
	int r;

	fd = memfd_create("cinch-seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "seccomp: memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return cinch_error_errno(err, -r, "seccomp: exporting BPF");
	if (fstat(fd, &st) < 0)
		return cinch_error_errno(err, errno, "seccomp: fstat");
	r = security_seccomp_check_size((size_t)st.st_size, "compiled seccomp filter", err);
	if (r < 0)
		return r;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return cinch_error_set(err, ENOMEM, "out of memory");
	n = pread(fd, buf, (size_t)st.st_size, 0);
	if (n != st.st_size)
		return cinch_error_errno(err, n < 0 ? errno : EIO, "seccomp: reading exported BPF");
	f->bpf = steal_pointer(&buf);
	f->bpf_len = (size_t)st.st_size / sizeof(struct sock_filter);
	return 0;
}

int security_seccomp_check_size(size_t bytes, const char *what, struct cinch_error *err)
{
	if (bytes == 0 || bytes % sizeof(struct sock_filter) != 0)
		return cinch_error_set(err, EINVAL, "%s: %zu bytes is not a BPF program", what,
				       bytes);
	if (bytes / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return cinch_error_set(err, E2BIG,
				       "%s: %zu instructions, more than the kernel's limit of %d",
				       what, bytes / sizeof(struct sock_filter), BPF_MAXINSNS);
	return 0;
}

/* Flags and the notify bit come from the profile, not from the BPF, so a
 * cache hit recomputes them with this (cheap, no libseccomp context). */
int security_seccomp_filter_meta(const struct cinch_seccomp *profile,
				 struct cinch_seccomp_filter *f, struct cinch_error *err)
{
	uint32_t def, action;
	int r;

	r = security_seccomp_flags(profile, &f->flags, err);
	if (r < 0)
		return r;
	r = default_action(profile, &def, err);
	if (r < 0)
		return r;
	f->notify = false;
	for (size_t i = 0; i < profile->syscalls.len; i++) {
		const struct cinch_seccomp_syscall *sc = &profile->syscalls.items[i];
		char path[64];

		snprintf(path, sizeof(path), ".linux.seccomp.syscalls[%zu].action", i);
		r = security_seccomp_action(sc->action, &sc->errno_ret, path, &action, err);
		if (r < 0)
			return r;
		if (action != SCMP_ACT_NOTIFY || action == def)
			continue;
		for (size_t k = 0; k < sc->names.len; k++)
			if (seccomp_syscall_resolve_name(sc->names.items[k]) != __NR_SCMP_ERROR)
				f->notify = true;
	}
	return 0;
}

int cinch_seccomp_compile(const struct cinch_seccomp *profile, struct cinch_seccomp_filter *ret,
			  struct cinch_error *err)
{
	_cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
	struct cinch_seccomp_filter f = {0};
	bool uses_notify = false;
	uint32_t def;
	int r;

	r = security_seccomp_flags(profile, &f.flags, err);
	if (r < 0)
		return r;
	r = default_action(profile, &def, err);
	if (r < 0)
		return r;
	ctx = seccomp_init(def);
	if (!ctx)
		return cinch_error_set(err, EINVAL,
				       ".linux.seccomp.defaultAction: libseccomp refused \"%s\"",
				       profile->default_action);
	/* A binary tree of syscall numbers instead of a linear list: Docker's
	 * profile is ~1000 instructions on x86_64, and installing it made the
	 * kernel emulate the whole list once per syscall number and arch to
	 * build its action cache (1.5 ms per container here; 0.75 ms as a
	 * tree), besides every filtered syscall walking the list. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return cinch_error_errno(err, -r, "seccomp: selecting the binary-tree layout");
	r = add_architectures(ctx, profile, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < profile->syscalls.len; i++) {
		r = add_syscall_rules(ctx, &profile->syscalls.items[i], i, def, &uses_notify, err);
		if (r < 0)
			return r;
	}
	r = add_newer_syscalls_enosys(ctx, profile, def, err);
	if (r < 0)
		return r;
	r = export_bpf(ctx, &f, err);
	if (r < 0)
		return r;
	f.notify = uses_notify;
	*ret = f;
	return 0;
}

void cinch_seccomp_filter_release(struct cinch_seccomp_filter *filter)
{
	if (!filter)
		return;
	free(filter->bpf);
	filter->bpf = NULL;
	filter->bpf_len = 0;
}
