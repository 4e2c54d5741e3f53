/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Installing a compiled filter with seccomp(2) directly: the flags from the
 * profile, plus NEW_LISTENER when the filter notifies (the listener fd is
 * returned for the runtime to hand to listenerPath). Nothing here touches
 * libseccomp, so the container's init does no compiling.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/security.h"
#include "src/security/security-internal.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif

int cinch_seccomp_install(const struct cinch_seccomp_filter *filter, struct cinch_error *err)
{
	struct sock_fprog prog;
	unsigned flags;
	long r;

	if (!filter || !filter->bpf || filter->bpf_len == 0)
		return cinch_error_set(err, EINVAL, "seccomp: no compiled filter to install");
	if (filter->bpf_len > BPF_MAXINSNS)
		return cinch_error_set(err, E2BIG, "seccomp: filter has %zu instructions (max %d)",
				       filter->bpf_len, BPF_MAXINSNS);
	prog.len = (unsigned short)filter->bpf_len;
	prog.filter = filter->bpf;
	flags = filter->flags;
	if (filter->notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* TSYNC reports a failing thread id in the return value, which
		 * would be indistinguishable from the listener fd. */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0) {
		int e = errno;

		if (e == EACCES)
			return cinch_error_set(
			    err, EACCES,
			    "seccomp: installing a filter needs noNewPrivileges or "
			    "CAP_SYS_ADMIN");
		if (e == EINVAL)
			return cinch_error_set(
			    err, EINVAL,
			    "seccomp: the kernel refused the filter or flags 0x%x "
			    "(a flag may be unsupported by this kernel)",
			    flags);
		return cinch_error_errno(err, e, "seccomp(SECCOMP_SET_MODE_FILTER, 0x%x)", flags);
	}
	if (!filter->notify && r > 0)
		return cinch_error_set(err, ESRCH,
				       "seccomp: thread %ld could not be synchronized (TSYNC)", r);
	return filter->notify ? (int)r : 0;
}
