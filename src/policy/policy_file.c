/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading a policy file: the one place policy/ touches the filesystem for
 * input. Like sudoers, a policy that a non-root user could have written is
 * refused: the file and every directory on its path must be owned by root
 * and not writable by group or other. A world-writable directory is
 * tolerated only when sticky (like /tmp): others cannot replace the
 * root-owned entry below it, which is checked in turn. Symlinks are refused
 * so that what is checked is what is read; the content comes from the very
 * fd that was checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/fdio.h"
#include "cinch/cleanup.h"
#include "policy-internal.h"

#define POLICY_FILE_MAX (1024 * 1024)

static int check_owner_mode(const char *path, const struct stat *st, bool is_last,
			    struct cinch_error *err)
{
	if (S_ISLNK(st->st_mode))
		return cinch_error_set(err, EPERM, "%s: is a symlink; refusing it", path);
	if (!is_last && !S_ISDIR(st->st_mode))
		return cinch_error_set(err, ENOTDIR, "%s: not a directory", path);
	if (is_last && !S_ISREG(st->st_mode))
		return cinch_error_set(err, EPERM, "%s: not a regular file", path);
	if (st->st_uid != 0)
		return cinch_error_set(err, EPERM,
				       "%s: owned by uid %u, not root; refusing a policy "
				       "that a non-root user can change",
				       path, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		if (!is_last && (st->st_mode & S_ISVTX))
			return 0;
		return cinch_error_set(err, EPERM,
				       "%s: writable by %s (mode %04o); refusing a policy "
				       "that a non-root user can change",
				       path, (st->st_mode & S_IWOTH) ? "others" : "its group",
				       (unsigned)(st->st_mode & 07777));
	}
	return 0;
}

/* Walk `path` from / one component at a time, checking each. */
static int open_checked(const char *path, struct cinch_error *err)
{
	_cleanup_free_ char *copy = NULL;
	_cleanup_close_ int dirfd = -1;
	char shown[PATH_MAX];
	struct stat st;
	char *save = NULL, *comp, *next;

	if (path[0] != '/')
		return cinch_error_set(err, EINVAL, "policy %s: not an absolute path", path);
	copy = strdup(path);
	if (!copy)
		return cinch_error_set(err, ENOMEM, "policy %s: out of memory", path);
	dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return cinch_error_errno(err, errno, "policy %s: open /", path);
	if (fstat(dirfd, &st) < 0)
		return cinch_error_errno(err, errno, "policy %s: stat /", path);
	if (check_owner_mode("/", &st, false, err) < 0)
		return cinch_error_prefix(err, "policy %s", path);
	strcpy(shown, "");
	comp = strtok_r(copy, "/", &save);
	if (!comp)
		return cinch_error_set(err, EINVAL, "policy %s: not a file", path);
	for (; comp; comp = next) {
		int fd;
		bool last;

		next = strtok_r(NULL, "/", &save);
		last = next == NULL;
		if (strcmp(comp, "..") == 0 || strcmp(comp, ".") == 0)
			return cinch_error_set(err, EINVAL, "policy %s: \".\" or \"..\" in path",
					       path);
		if (strlen(shown) + strlen(comp) + 2 >= sizeof(shown))
			return cinch_error_set(err, ENAMETOOLONG, "policy %s: path too long", path);
		strcat(shown, "/");
		strcat(shown, comp);
		fd = openat(dirfd, comp,
			    (last ? O_RDONLY : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC |
				O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			int e = errno;
			/* O_NOFOLLOW on a symlink: ELOOP (file) or ENOTDIR (O_DIRECTORY). */
			if ((e == ELOOP || e == ENOTDIR) &&
			    fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return cinch_error_set(err, EPERM,
						       "policy %s: %s is a symlink; refusing it",
						       path, shown);
			return cinch_error_errno(err, e, "policy %s: open %s", path, shown);
		}
		close(dirfd);
		dirfd = fd;
		if (fstat(dirfd, &st) < 0)
			return cinch_error_errno(err, errno, "policy %s: stat %s", path, shown);
		if (check_owner_mode(shown, &st, last, err) < 0)
			return strcmp(shown, path) != 0 ? cinch_error_prefix(err, "policy %s", path)
							: cinch_error_prefix(err, "policy");
	}
	return steal_fd(&dirfd);
}

static int read_all(int fd, const char *path, char **ret, size_t *ret_len, struct cinch_error *err)
{
	int r = cinch_read_all(fd, POLICY_FILE_MAX, ret, ret_len);

	if (r == -EFBIG)
		return cinch_error_set(err, EFBIG, "policy %s: larger than %d bytes", path,
				       POLICY_FILE_MAX);
	if (r < 0)
		return cinch_error_errno(err, -r, "policy %s: read", path);
	return 0;
}

int cinch_policy_load_file(const char *path, struct cinch_policy **ret, struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	fd = open_checked(path, err);
	if (fd < 0)
		return fd;
	r = read_all(fd, path, &buf, &len, err);
	if (r < 0)
		return r;
	return cinch_policy_load_buffer(buf, len, path, ret, err);
}

int cinch_policy_load_host(const char *path, struct cinch_policy **ret, struct cinch_error *err)
{
	struct stat st;

	if (path)
		return cinch_policy_load_file(path, ret, err);
	/* Only a default file that does not exist at all means "built-in restricted";
	 * anything else that is wrong with it is an error. */
	if (lstat(CINCH_POLICY_DEFAULT_PATH, &st) < 0 && errno == ENOENT)
		return cinch_policy_builtin(CINCH_POLICY_RESTRICTED, ret, err);
	return cinch_policy_load_file(CINCH_POLICY_DEFAULT_PATH, ret, err);
}
