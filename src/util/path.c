/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safe path resolution inside an untrusted tree (see cinch/path.h): openat2
 * RESOLVE_IN_ROOT lookups, mkdir -p and file creation that never follow a
 * symlink out of the root, lexical path cleaning.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/path.h"

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

/* MAXSYMLINKS of the kernel. */
#define WALK_MAX_LINKS 40
#define WALK_MAX_DEPTH 256

struct walk {
	int fds[WALK_MAX_DEPTH]; /* fds[0] is the root; ".." pops, never past it */
	int n;
};

static void walk_reset(struct walk *w)
{
	while (w->n > 1)
		close(w->fds[--w->n]);
}

/*
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS [| RESOLVE_NO_SYMLINKS]) by
 * hand, where openat2 answers ENOSYS (before Linux 5.6, valgrind 3.19): one
 * component at a time with O_NOFOLLOW from a stack of directory fds. ".."
 * pops the stack and never leaves the root; the filesystem's own ".." is
 * never used, so a directory renamed meanwhile cannot lead out. A symlink
 * is read and resolved here, in the root (absolute target) or from its
 * directory, so the kernel never follows one; absolute links on procfs
 * (the magic links) are refused.
 */
static int emulate_in_root(int root_fd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
	struct walk w = {.n = 1};
	char *todo = strdup(path), *rest;
	int links = 0, fd = -ENOENT;

	w.fds[0] = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (!todo || w.fds[0] < 0) {
		fd = !todo ? -ENOMEM : -errno;
		goto out;
	}
	for (rest = todo;;) {
		char *comp, target[PATH_MAX], *joined;
		struct stat st;
		struct statfs sfs;
		ssize_t n;
		int next;
		bool last;

		while (*rest == '/')
			rest++;
		comp = rest;
		rest += strcspn(rest, "/");
		if (*rest)
			*rest++ = '\0';
		last = rest[strspn(rest, "/")] == '\0';
		if (*comp == '\0' || strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
			if (strcmp(comp, "..") == 0 && w.n > 1)
				close(w.fds[--w.n]);
			if (!last)
				continue;
			fd = openat(w.fds[w.n - 1], ".", flags & ~(O_CREAT | O_EXCL), mode);
			fd = fd < 0 ? -errno : fd;
			break;
		}
		/* Looked at without following first; then opened for real. */
		next = openat(w.fds[w.n - 1], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && last && errno == ENOENT && (flags & O_CREAT)) {
			fd = openat(w.fds[w.n - 1], comp, flags | O_NOFOLLOW, mode);
			fd = fd < 0 ? -errno : fd;
			break;
		}
		if (next < 0 || fstat(next, &st) < 0) {
			fd = -errno;
			if (next >= 0)
				close(next);
			break;
		}
		if (!S_ISLNK(st.st_mode) && last) {
			close(next);
			fd = openat(w.fds[w.n - 1], comp, flags | O_NOFOLLOW, mode);
			fd = fd < 0 ? -errno : fd;
			break;
		}
		if (!S_ISLNK(st.st_mode)) {
			if (!S_ISDIR(st.st_mode) || w.n == WALK_MAX_DEPTH) {
				fd = S_ISDIR(st.st_mode) ? -ENAMETOOLONG : -ENOTDIR;
				close(next);
				break;
			}
			w.fds[w.n++] = next;
			continue;
		}
		/* O_PATH|O_NOFOLLOW asks for the symlink itself. */
		if (last && (flags & O_NOFOLLOW) && (flags & O_PATH) &&
		    !(resolve & RESOLVE_NO_SYMLINKS)) {
			fd = next;
			break;
		}
		close(next);
		if (last && (flags & O_NOFOLLOW)) {
			fd = -ELOOP;
			break;
		}
		n = readlinkat(w.fds[w.n - 1], comp, target, sizeof(target) - 1);
		if ((resolve & RESOLVE_NO_SYMLINKS) || ++links > WALK_MAX_LINKS || n < 0) {
			fd = n < 0 ? -errno : -ELOOP;
			break;
		}
		target[n] = '\0';
		if (target[0] == '/' && fstatfs(w.fds[w.n - 1], &sfs) == 0 &&
		    sfs.f_type == PROC_SUPER_MAGIC) {
			fd = -ELOOP;
			break;
		}
		if (asprintf(&joined, "%s/%s", target, rest) < 0) {
			fd = -ENOMEM;
			break;
		}
		if (target[0] == '/')
			walk_reset(&w);
		free(todo);
		todo = rest = joined;
	}
out:
	walk_reset(&w);
	if (w.fds[0] >= 0)
		close(w.fds[0]);
	free(todo);
	return fd;
}

static int open_in_root(int root_fd, const char *path, int flags, mode_t mode, uint64_t extra)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra,
	};
	int fd;

	/* An empty path means the root itself. */
	if (path[0] == '\0')
		path = ".";
	do
		fd = sys_openat2(root_fd, path, &how);
	while (fd < 0 && errno == EAGAIN);
	if (fd < 0 && errno == ENOSYS)
		return emulate_in_root(root_fd, path, flags | O_CLOEXEC, how.mode, how.resolve);
	return fd < 0 ? -errno : fd;
}

int cinch_path_open_in_root(int root_fd, const char *path, int flags, mode_t mode,
			    uint64_t extra_resolve, struct cinch_error *err)
{
	int fd = open_in_root(root_fd, path, flags, mode, extra_resolve);

	if (fd < 0)
		return cinch_error_errno(err, -fd, "%s: cannot open inside the rootfs", path);
	return fd;
}

int cinch_path_clean(const char *path, char **ret, struct cinch_error *err)
{
	size_t len = strlen(path);
	_cleanup_free_ char *out = malloc(len + 2);
	size_t o = 0;
	const char *p = path;

	if (!out)
		return cinch_error_errno(err, ENOMEM, "%s: cleaning path", path);
	out[o++] = '/';
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* Drop the last component, but never go above "/". */
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	*ret = steal_pointer(&out);
	return 0;
}

bool cinch_path_has_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void cinch_path_unescape_mountinfo(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* MAXSYMLINKS of the kernel: more dangling links than that is a loop. */
#define MAX_LINKS 40

/* A dangling symlink met while creating: the rest of the path continues at
 * its target (taken inside the root), as the kernel would resolve it. */
static int follow_dangling(int dirfd, const char *name, const char *parent, const char *rest,
			   char **todo, struct cinch_error *err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
	_cleanup_free_ char *joined = NULL;
	int r;

	if (n < 0)
		return cinch_error_errno(err, errno, "%s/%s: not a directory nor a symlink", parent,
					 name);
	target[n] = '\0';
	if (target[0] == '/')
		r = asprintf(&joined, "%s/%s", target, rest);
	else
		r = asprintf(&joined, "%s/%s/%s", parent, target, rest);
	if (r < 0)
		return cinch_error_errno(err, ENOMEM, "%s", name);
	free(*todo);
	*todo = NULL;
	return cinch_path_clean(joined, todo, err);
}

/*
 * mkdir -p: each prefix is resolved from the root again, so a symlink met on
 * the way is followed inside the root only; a missing component is created
 * relative to the fd of its (already resolved) parent, and a dangling
 * symlink is followed to its in-root target, which is created instead.
 */
int cinch_path_mkdir_in_root(int root_fd, const char *path, mode_t mode, struct cinch_error *err)
{
	_cleanup_free_ char *todo = NULL;
	_cleanup_close_ int cur = -1;
	int links = 0;
	char *p;
	int r;

	r = cinch_path_clean(path, &todo, err);
	if (r < 0)
		return r;
restart:
	if (cur >= 0)
		close(cur);
	cur = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY, 0, 0);
	if (cur < 0)
		return cinch_error_errno(err, -cur, "%s: cannot open the rootfs", path);
	p = todo + 1;
	while (*p) {
		char *slash = strchr(p, '/');
		int next;

		if (slash)
			*slash = '\0';
		/* todo now ends at the component p. */
		next = open_in_root(root_fd, todo, O_PATH | O_DIRECTORY, 0, 0);
		if (next == -ENOENT) {
			if (mkdirat(cur, p, mode) < 0 && errno != EEXIST)
				return cinch_error_errno(
				    err, errno, "%s: cannot create directory %s", path, todo);
			next = open_in_root(root_fd, todo, O_PATH | O_DIRECTORY, 0, 0);
		}
		if (next == -ENOENT) {
			_cleanup_free_ char *parent = NULL;

			if (++links > MAX_LINKS)
				return cinch_error_set(err, ELOOP, "%s: too many symlinks", path);
			parent = strndup(todo, (size_t)(p - todo));
			if (!parent)
				return cinch_error_errno(err, ENOMEM, "%s", path);
			r = follow_dangling(cur, p, parent, slash ? slash + 1 : "", &todo, err);
			if (r < 0)
				return cinch_error_prefix(err, "%s", path);
			goto restart;
		}
		if (next < 0)
			return cinch_error_errno(err, -next, "%s: cannot open %s in the rootfs",
						 path, todo);
		close(cur);
		cur = next;
		if (!slash)
			break;
		*slash = '/';
		p = slash + 1;
	}
	return steal_fd(&cur);
}

int cinch_path_open_parent_in_root(int root_fd, const char *path, char **ret_name,
				   struct cinch_error *err)
{
	_cleanup_free_ char *clean = NULL;
	_cleanup_free_ char *name = NULL;
	char *slash;
	int r;

	r = cinch_path_clean(path, &clean, err);
	if (r < 0)
		return r;
	if (strcmp(clean, "/") == 0)
		return cinch_error_set(err, EINVAL, "%s: the rootfs itself has no parent", path);
	slash = strrchr(clean, '/');
	name = strdup(slash + 1);
	if (!name)
		return cinch_error_errno(err, ENOMEM, "%s", path);
	slash[slash == clean ? 1 : 0] = '\0';
	r = cinch_path_mkdir_in_root(root_fd, clean, 0755, err);
	if (r < 0)
		return r;
	*ret_name = steal_pointer(&name);
	return r;
}

int cinch_path_mkfile_in_root(int root_fd, const char *path, mode_t mode, struct cinch_error *err)
{
	_cleanup_free_ char *todo = strdup(path);

	if (!todo)
		return cinch_error_errno(err, ENOMEM, "%s", path);
	for (int links = 0; links <= MAX_LINKS; links++) {
		_cleanup_free_ char *name = NULL;
		_cleanup_free_ char *parent_path = NULL;
		_cleanup_close_ int parent = -1;
		int fd, r;

		fd = open_in_root(root_fd, todo, O_PATH, 0, 0);
		if (fd >= 0)
			return fd;
		if (fd != -ENOENT)
			return cinch_error_errno(err, -fd, "%s: cannot open inside the rootfs",
						 path);
		r = cinch_path_open_parent_in_root(root_fd, todo, &name, err);
		if (r < 0)
			return r;
		parent = r;
		/* O_EXCL|O_NOFOLLOW: a symlink planted here is never followed
		 * by the kernel; a dangling one is followed by hand, in-root. */
		fd = openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC,
			    mode);
		if (fd >= 0) {
			close(fd);
			fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return cinch_error_errno(err, errno, "%s: cannot open created file",
							 path);
			return fd;
		}
		if (errno != EEXIST)
			return cinch_error_errno(err, errno, "%s: cannot create file", path);
		r = cinch_path_clean(todo, &parent_path, err);
		if (r < 0)
			return r;
		*strrchr(parent_path, '/') = '\0';
		r = follow_dangling(parent, name, parent_path, "", &todo, err);
		if (r < 0)
			return cinch_error_prefix(err, "%s", path);
	}
	return cinch_error_set(err, ELOOP, "%s: too many symlinks", path);
}

int cinch_path_fd_in_root(int fd, const char *root_path, char **ret, struct cinch_error *err)
{
	char link[64];
	char buf[PATH_MAX];
	ssize_t n;
	size_t rl = strlen(root_path);

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		return cinch_error_errno(err, errno, "readlink %s", link);
	buf[n] = '\0';
	while (rl > 1 && root_path[rl - 1] == '/')
		rl--;
	if (strcmp(root_path, "/") == 0)
		rl = 0;
	if (strncmp(buf, root_path, rl) != 0 || (buf[rl] != '\0' && buf[rl] != '/'))
		return cinch_error_set(err, EXDEV, "%s: is outside the rootfs %s", buf, root_path);
	*ret = strdup(buf[rl] ? buf + rl : "/");
	if (!*ret)
		return cinch_error_errno(err, ENOMEM, "%s", buf);
	return 0;
}
