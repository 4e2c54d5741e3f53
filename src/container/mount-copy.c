/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpcopyup: the image's content of a directory is copied into the fresh
 * tmpfs that will cover it, while that tmpfs is still detached (nobody else
 * can see or race it). Everything is opened relative to directory fds with
 * O_NOFOLLOW: symlinks are copied as symlinks, never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "rootfs-internal.h"

#define COPY_MAX_DEPTH 64

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st,
		     struct cinch_error *err)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return cinch_error_errno(err, errno, "%s", name);
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     st->st_mode & 07777);
	if (out < 0)
		return cinch_error_errno(err, errno, "%s", name);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0)
				return cinch_error_errno(err, errno, "%s", name);
			p += w;
			n -= w;
		}
	}
	if (n < 0)
		return cinch_error_errno(err, errno, "%s", name);
	return 0;
}

static int copy_symlink(int sdir, int ddir, const char *name, struct cinch_error *err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);

	if (n < 0)
		return cinch_error_errno(err, errno, "%s", name);
	target[n] = '\0';
	if (symlinkat(target, ddir, name) < 0)
		return cinch_error_errno(err, errno, "%s", name);
	return 0;
}

static int copy_dir(int sfd, int dfd, int depth, struct cinch_error *err);

static int copy_entry(int sfd, int dfd, const char *name, int depth, struct cinch_error *err)
{
	struct stat st;
	int r = 0;

	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cinch_error_errno(err, errno, "%s", name);
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s = -1;
		_cleanup_close_ int d = -1;

		if (mkdirat(dfd, name, st.st_mode & 07777) < 0)
			return cinch_error_errno(err, errno, "%s", name);
		s = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return cinch_error_errno(err, errno, "%s", name);
		r = copy_dir(s, d, depth + 1, err);
		if (r < 0)
			return cinch_error_prefix(err, "%s", name);
	} else if (S_ISREG(st.st_mode)) {
		r = copy_file(sfd, dfd, name, &st, err);
	} else if (S_ISLNK(st.st_mode)) {
		r = copy_symlink(sfd, dfd, name, err);
	} else {
		if (mknodat(dfd, name, st.st_mode, st.st_rdev) < 0)
			return cinch_error_errno(err, errno, "%s", name);
	}
	if (r < 0)
		return r;
	if (fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return cinch_error_errno(err, errno, "chown %s", name);
	/* mkdirat/openat applied the umask; the copy keeps the image's mode. */
	if (!S_ISLNK(st.st_mode) && fchmodat(dfd, name, st.st_mode & 07777, 0) < 0)
		return cinch_error_errno(err, errno, "chmod %s", name);
	return 0;
}

static int copy_dir(int sfd, int dfd, int depth, struct cinch_error *err)
{
	_cleanup_closedir_ DIR *dir = NULL;
	struct dirent *de;
	int fd;

	if (depth > COPY_MAX_DEPTH)
		return cinch_error_set(err, ELOOP, "directory tree deeper than %d", COPY_MAX_DEPTH);
	fd = dup(sfd);
	if (fd < 0)
		return cinch_error_errno(err, errno, "dup");
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return cinch_error_errno(err, errno, "opendir");
	}
	while ((errno = 0, de = readdir(dir))) {
		int r;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = copy_entry(sfd, dfd, de->d_name, depth, err);
		if (r < 0)
			return r;
	}
	if (errno)
		return cinch_error_errno(err, errno, "readdir");
	return 0;
}

int cinch_mount_copy_tree(int src_fd, int dst_fd, struct cinch_error *err)
{
	_cleanup_close_ int d = openat(dst_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (d < 0)
		return cinch_error_errno(err, errno, "opening the new tmpfs");
	return copy_dir(src_fd, d, 0, err);
}
