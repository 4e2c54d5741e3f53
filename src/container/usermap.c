/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parent-side writes for stage1's new namespaces: uid_map/gid_map of a new
 * user namespace, and timens_offsets of a new time namespace (which can only
 * be written before any process enters it: stage1 has unshared it, so only
 * its future children will). The parent is privileged in the host user
 * namespace, so setgroups stays "allow" and process.user.additionalGids keep
 * working inside the container.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "internal.h"

#define MAP_BUF 8192

static int write_proc_file(pid_t pid, const char *name, const char *data, size_t len,
			   const char *field, struct cinch_error *err)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "%s: open %s", field, path);
	n = write(fd, data, len);
	if (n < 0)
		return cinch_error_errno(err, errno, "%s: write %s", field, path);
	if ((size_t)n != len)
		return cinch_error_set(err, EIO, "%s: short write to %s", field, path);
	return 0;
}

static int format_map(const struct cinch_id_mappings *m, char *buf, size_t cap, const char *field,
		      struct cinch_error *err)
{
	size_t off = 0;

	for (size_t i = 0; i < m->len; i++) {
		int n = snprintf(buf + off, cap - off, "%u %u %u\n", m->items[i].container_id,
				 m->items[i].host_id, m->items[i].size);
		if (n < 0 || (size_t)n >= cap - off)
			return cinch_error_set(err, E2BIG, "%s: too many mappings", field);
		off += (size_t)n;
	}
	return (int)off;
}

int container_write_id_maps(const struct cinch_spec *spec, pid_t pid, struct cinch_error *err)
{
	char buf[MAP_BUF];
	int n;
	int r;

	n = format_map(&spec->linux_->uid_mappings, buf, sizeof(buf), "linux.uidMappings", err);
	if (n < 0)
		return n;
	r = write_proc_file(pid, "uid_map", buf, (size_t)n, "linux.uidMappings", err);
	if (r < 0)
		return r;
	n = format_map(&spec->linux_->gid_mappings, buf, sizeof(buf), "linux.gidMappings", err);
	if (n < 0)
		return n;
	return write_proc_file(pid, "gid_map", buf, (size_t)n, "linux.gidMappings", err);
}

int container_write_time_offsets(const struct cinch_spec *spec, pid_t pid, struct cinch_error *err)
{
	const struct cinch_time_offsets *o = &spec->linux_->time_offsets;
	char buf[512];
	size_t off = 0;

	for (size_t i = 0; i < o->len; i++) {
		const char *clock = o->items[i].clock;
		if (strcmp(clock, "monotonic") != 0 && strcmp(clock, "boottime") != 0)
			return cinch_error_set(err, EINVAL,
					       "linux.timeOffsets.%s: unknown clock (monotonic or "
					       "boottime)",
					       clock);
		if (o->items[i].nanosecs >= 1000000000u)
			return cinch_error_set(
			    err, EINVAL, "linux.timeOffsets.%s.nanosecs: must be < 1e9", clock);
		int n = snprintf(buf + off, sizeof(buf) - off, "%s %lld %u\n", clock,
				 (long long)o->items[i].secs, o->items[i].nanosecs);
		if (n < 0 || (size_t)n >= sizeof(buf) - off)
			return cinch_error_set(err, E2BIG, "linux.timeOffsets: too many entries");
		off += (size_t)n;
	}
	if (off == 0)
		return 0;
	return write_proc_file(pid, "timens_offsets", buf, off, "linux.timeOffsets", err);
}
