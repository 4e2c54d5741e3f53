/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mount(2) side of mount-api.c, for where the new mount API answers
 * ENOSYS: MOUNT_ATTR_* as MS_* flags, mount_setattr done as bind remounts
 * (one mount, or a mount and everything below it), and finding the mount
 * that mount(2) just stacked onto a target fd.
 *
 * A remount replaces all per-mount flags, so the flags the mount has now
 * (statfs) are kept and only the asked bits change, as mount_setattr does;
 * dropping a flag that is locked in a user namespace would be refused.
 * Mounts are named by mount id (fdinfo) and /proc/self/mountinfo: this
 * process is alone in its mount namespace while the rootfs is built. A
 * mount point is opened by path only to get an fd, and that fd is used only
 * if its mount id is the expected one, so a path swapped meanwhile makes
 * the step fail instead of changing some other mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"
#include "rootfs-internal.h"

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

static void fd_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* MOUNT_ATTR_* (without the atime mode) as MS_* flags. */
static unsigned long ms_of_attrs(uint64_t attrs)
{
	unsigned long f = 0;

	f |= (attrs & MOUNT_ATTR_RDONLY) ? MS_RDONLY : 0;
	f |= (attrs & MOUNT_ATTR_NOSUID) ? MS_NOSUID : 0;
	f |= (attrs & MOUNT_ATTR_NODEV) ? MS_NODEV : 0;
	f |= (attrs & MOUNT_ATTR_NOEXEC) ? MS_NOEXEC : 0;
	f |= (attrs & MOUNT_ATTR_NODIRATIME) ? MS_NODIRATIME : 0;
	f |= (attrs & MOUNT_ATTR_NOSYMFOLLOW) ? MS_NOSYMFOLLOW : 0;
	return f;
}

static unsigned long ms_of_atime(uint64_t attrs)
{
	switch (attrs & MOUNT_ATTR__ATIME) {
	case MOUNT_ATTR_NOATIME:
		return MS_NOATIME;
	case MOUNT_ATTR_STRICTATIME:
		return MS_STRICTATIME;
	default:
		return MS_RELATIME;
	}
}

/* The per-mount flags the mount of fd has now, as MS_* (atime separate). */
static int current_flags(int fd, unsigned long *flags, unsigned long *atime,
			 struct cinch_error *err)
{
	struct statfs sfs;
	unsigned long f = 0;

	if (fstatfs(fd, &sfs) < 0)
		return cinch_error_errno(err, errno, "statfs of the mount");
	f |= (sfs.f_flags & ST_RDONLY) ? MS_RDONLY : 0;
	f |= (sfs.f_flags & ST_NOSUID) ? MS_NOSUID : 0;
	f |= (sfs.f_flags & ST_NODEV) ? MS_NODEV : 0;
	f |= (sfs.f_flags & ST_NOEXEC) ? MS_NOEXEC : 0;
	f |= (sfs.f_flags & ST_NODIRATIME) ? MS_NODIRATIME : 0;
	f |= (sfs.f_flags & ST_NOSYMFOLLOW) ? MS_NOSYMFOLLOW : 0;
	*flags = f;
	*atime = (sfs.f_flags & ST_NOATIME)    ? MS_NOATIME
		 : (sfs.f_flags & ST_RELATIME) ? MS_RELATIME
					       : MS_STRICTATIME;
	return 0;
}

/* What mount_setattr(set, clr) does to one mount, as a bind remount of the
 * mount whose root fd is. The flags it does not name are kept: a remount
 * replaces them all, and dropping a locked one would be refused. */
static int remount_one(int fd, uint64_t set, uint64_t clr, struct cinch_error *err)
{
	unsigned long cur = 0, atime = 0, want, want_atime;
	char path[64];
	int r;

	r = current_flags(fd, &cur, &atime, err);
	if (r < 0)
		return r;
	want = (cur & ~ms_of_attrs(clr)) | ms_of_attrs(set);
	want_atime = (clr & MOUNT_ATTR__ATIME) ? ms_of_atime(set) : atime;
	if (want == cur && want_atime == atime)
		return 0;
	fd_path(path, sizeof(path), fd);
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | want | want_atime, NULL) < 0)
		return cinch_error_errno(err, errno, "remounting with new flags");
	return 0;
}

/* The mount id of the mount fd is on (fdinfo has it on every kernel the
 * fallback is for; statx STATX_MNT_ID needs 5.8). */
static int mount_id_of(int fd, int *ret, struct cinch_error *err)
{
	char path[64], buf[1024];
	_cleanup_close_ int info = -1;
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return cinch_error_errno(err, errno, "%s", path);
	n = read(info, buf, sizeof(buf) - 1);
	if (n < 0)
		return cinch_error_errno(err, errno, "%s", path);
	buf[n] = '\0';
	p = strstr(buf, "mnt_id:");
	if (!p || sscanf(p + 7, "%d", ret) != 1)
		return cinch_error_set(err, EPROTO, "%s: no mnt_id", path);
	return 0;
}

struct mi_entry {
	int id;
	int parent;
	char *point; /* the mount point, unescaped */
};

struct mountinfo {
	struct mi_entry *e;
	size_t n;
};

static void mountinfo_free(struct mountinfo *mi)
{
	for (size_t i = 0; i < mi->n; i++)
		free(mi->e[i].point);
	free(mi->e);
}

static int mountinfo_read(struct mountinfo *mi, struct cinch_error *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, alloc = 0;

	*mi = (struct mountinfo){0};
	if (!f)
		return cinch_error_errno(err, errno, "/proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		struct mi_entry e = {0};

		if (sscanf(line, "%d %d %*s %*s %ms", &e.id, &e.parent, &e.point) != 3)
			continue;
		if (mi->n == alloc) {
			struct mi_entry *p;

			alloc = alloc ? alloc * 2 : 64;
			p = realloc(mi->e, alloc * sizeof(*p));
			if (!p) {
				free(e.point);
				mountinfo_free(mi);
				return cinch_error_errno(err, ENOMEM, "/proc/self/mountinfo");
			}
			mi->e = p;
		}
		cinch_path_unescape_mountinfo(e.point);
		mi->e[mi->n++] = e;
	}
	return 0;
}

static ssize_t mountinfo_find(const struct mountinfo *mi, int id)
{
	for (size_t i = 0; i < mi->n; i++)
		if (mi->e[i].id == id)
			return (ssize_t)i;
	return -1;
}

/* Opens path and accepts it only as the root of one of the wanted mounts
 * (want[i] for mountinfo entry i); returns the fd, its entry in *idx. */
static int open_verified(const struct mountinfo *mi, const bool *want, const char *path,
			 size_t *idx, struct cinch_error *err)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	ssize_t i;
	int id, r;

	if (fd < 0)
		return cinch_error_errno(err, errno, "opening the new mount at %s", path);
	r = mount_id_of(fd, &id, err);
	if (r < 0)
		return r;
	i = mountinfo_find(mi, id);
	if (i < 0 || !want[i])
		return cinch_error_set(err, EXDEV, "%s changed while it was being mounted", path);
	*idx = (size_t)i;
	return steal_fd(&fd);
}

/* The mount just made on top of target_fd (found as the last of the chain
 * of mounts stacked on target's mount at target's path), opened. */
int cinch_mount_legacy_open_new(int target_fd, struct cinch_error *err)
{
	_cleanup_free_ bool *want = NULL;
	struct mountinfo mi;
	char link[64], point[PATH_MAX];
	ssize_t n, top = -1;
	int id, r;
	size_t idx;

	fd_path(link, sizeof(link), target_fd);
	n = readlink(link, point, sizeof(point) - 1);
	if (n < 0)
		return cinch_error_errno(err, errno, "readlink %s", link);
	point[n] = '\0';
	r = mount_id_of(target_fd, &id, err);
	if (r < 0)
		return r;
	r = mountinfo_read(&mi, err);
	if (r < 0)
		return r;
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < mi.n; i++) {
			if (mi.e[i].parent == id && strcmp(mi.e[i].point, point) == 0) {
				id = mi.e[i].id;
				top = (ssize_t)i;
				more = true;
				break;
			}
		}
	}
	want = calloc(mi.n ? mi.n : 1, sizeof(*want));
	if (!want || top < 0) {
		mountinfo_free(&mi);
		return !want ? cinch_error_errno(err, ENOMEM, "mountinfo")
			     : cinch_error_set(err, ENOENT,
					       "the new mount at %s is not in mountinfo", point);
	}
	want[top] = true;
	r = open_verified(&mi, want, point, &idx, err);
	mountinfo_free(&mi);
	return r;
}

/* remount_one for the mount of fd and every mount below it. */
static int remount_tree(int fd, uint64_t set, uint64_t clr, struct cinch_error *err)
{
	_cleanup_free_ bool *in = NULL;
	_cleanup_free_ bool *done = NULL;
	struct mountinfo mi;
	ssize_t top;
	int id, r;

	r = mount_id_of(fd, &id, err);
	if (r >= 0)
		r = remount_one(fd, set, clr, err);
	if (r >= 0)
		r = mountinfo_read(&mi, err);
	if (r < 0)
		return r;
	top = mountinfo_find(&mi, id);
	in = calloc(mi.n ? mi.n : 1, sizeof(*in));
	done = calloc(mi.n ? mi.n : 1, sizeof(*done));
	if (!in || !done || top < 0) {
		mountinfo_free(&mi);
		return cinch_error_set(err, !in || !done ? ENOMEM : ENOENT,
				       "mount %d is not in mountinfo", id);
	}
	in[top] = done[top] = true;
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < mi.n; i++) {
			ssize_t p = in[i] ? -1 : mountinfo_find(&mi, mi.e[i].parent);

			if (p >= 0 && in[p])
				in[i] = more = true;
		}
	}
	/* A mount hidden under another one at the same place is not
	 * reachable by path; the one on top of it is, and is the one seen. */
	for (size_t i = 0; r >= 0 && i < mi.n; i++) {
		_cleanup_close_ int sub = -1;
		size_t j;

		if (!in[i] || done[i])
			continue;
		sub = open_verified(&mi, in, mi.e[i].point, &j, err);
		if (sub < 0) {
			r = sub;
			break;
		}
		if (!done[j])
			r = remount_one(sub, set, clr, err);
		done[j] = done[i] = true;
	}
	mountinfo_free(&mi);
	return r;
}

int cinch_mount_legacy_setattr(int fd, bool recursive, uint64_t set, uint64_t clr,
			       struct cinch_error *err)
{
	return recursive ? remount_tree(fd, set, clr, err) : remount_one(fd, set, clr, err);
}

unsigned long cinch_mount_legacy_flags(uint64_t attrs)
{
	return ms_of_attrs(attrs) | ms_of_atime(attrs);
}
