/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which destinations a mount may cover, in procfs terms. A mount over /proc
 * or inside it can hide the files the runtime later writes LSM labels and
 * sysctls to (CVE-2019-16884, CVE-2025-52881), so:
 *   - onto /proc itself: only a fresh "proc" mount, or a bind whose source is
 *     the root of a procfs;
 *   - inside /proc: only the files lxcfs emulates;
 *   - elsewhere: anything, including a "proc" mount (same rules as runc's
 *     checkProcMount).
 * The caller applies this both to the lexical destination and to where it
 * resolves inside the rootfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"

/* The root directory of every procfs has inode number 1. */
#define PROC_ROOT_INO 1

static const char *const lxcfs_files[] = {
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
};

static int check_proc_bind_source(const char *dest, const char *source, struct cinch_error *err)
{
	struct statfs sfs;
	struct stat st;

	if (!source || statfs(source, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return cinch_error_set(err, EPERM,
				       "%s cannot be mounted because it is not of type proc", dest);
	if (stat(source, &st) < 0)
		return cinch_error_errno(err, errno, "%s", source);
	if (st.st_ino != PROC_ROOT_INO)
		return cinch_error_set(err, EPERM,
				       "%s cannot be mounted because it is not the root of procfs",
				       source);
	return 0;
}

int cinch_mount_check_proc(const char *dest, bool is_bind, const char *type, const char *source,
			   struct cinch_error *err)
{
	if (!cinch_path_has_prefix(dest, "/proc"))
		return 0;
	if (strcmp(dest, "/proc") == 0) {
		if (is_bind)
			return check_proc_bind_source(dest, source, err);
		if (type && strcmp(type, "proc") == 0)
			return 0;
		return cinch_error_set(err, EPERM,
				       "%s cannot be mounted because it is not of type proc", dest);
	}
	for (size_t i = 0; i < N_ELEMENTS(lxcfs_files); i++)
		if (strcmp(dest, lxcfs_files[i]) == 0)
			return 0;
	return cinch_error_set(err, EPERM, "%s cannot be mounted because it is inside /proc", dest);
}
