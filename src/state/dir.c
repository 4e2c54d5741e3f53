/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container directory <root>/<id>: id validation, creation, locking
 * (flock on the directory fd), removal, listing, and small helpers about
 * processes and time that every state reader needs.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/state.h"

const char *cinch_status_name(enum cinch_status status)
{
	switch (status) {
	case CINCH_STATUS_CREATING:
		return "creating";
	case CINCH_STATUS_CREATED:
		return "created";
	case CINCH_STATUS_RUNNING:
		return "running";
	case CINCH_STATUS_PAUSED:
		return "paused";
	case CINCH_STATUS_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

static bool id_char_ok(char c, bool first)
{
	if (isascii((unsigned char)c) && isalnum((unsigned char)c))
		return true;
	if (c == '_' || c == '+' || c == '-')
		return true;
	return !first && c == '.';
}

int cinch_state_validate_id(const char *id, struct cinch_error *err)
{
	size_t len = id ? strlen(id) : 0;

	if (len == 0)
		return cinch_error_set(err, EINVAL, "container id must not be empty");
	if (len > CINCH_STATE_ID_MAX)
		return cinch_error_set(err, EINVAL, "container id is longer than %d bytes",
				       CINCH_STATE_ID_MAX);
	for (size_t i = 0; i < len; i++)
		if (!id_char_ok(id[i], i == 0))
			return cinch_error_set(err, EINVAL,
					       "invalid container id %s: must match "
					       "[A-Za-z0-9_+-][A-Za-z0-9_+.-]*",
					       id);
	return 0;
}

/* mkdir -p with mode 0700 for every component we create. */
static int mkdir_parents(const char *path, struct cinch_error *err)
{
	_cleanup_free_ char *copy = strdup(path);

	if (!copy)
		return cinch_error_set(err, ENOMEM, "state root %s: out of memory", path);
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			return cinch_error_errno(err, errno, "create state root %s", copy);
		*p = saved;
		if (saved == '\0')
			break;
	}
	return 0;
}

static int lock_dir(int dirfd, bool exclusive, const char *id, struct cinch_error *err)
{
	while (flock(dirfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR)
			return cinch_error_errno(err, errno, "lock state of container %s", id);
	return 0;
}

int cinch_state_dir_create(const char *root, const char *id, int *ret_dirfd,
			   struct cinch_error *err)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_close_ int dirfd = -1;
	int r;

	r = cinch_state_validate_id(id, err);
	if (r < 0)
		return r;
	r = mkdir_parents(root, err);
	if (r < 0)
		return r;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cinch_error_errno(err, errno, "open state root %s", root);
	if (mkdirat(rootfd, id, 0700) < 0) {
		if (errno == EEXIST)
			return cinch_error_set(err, EEXIST, "container with id exists: %s", id);
		return cinch_error_errno(err, errno, "create state directory %s/%s", root, id);
	}
	dirfd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd < 0)
		return cinch_error_errno(err, errno, "open state directory %s/%s", root, id);
	r = lock_dir(dirfd, true, id, err);
	if (r < 0)
		return r;
	*ret_dirfd = steal_fd(&dirfd);
	return 0;
}

static int open_dir(const char *root, const char *id, bool lock, bool exclusive, int *ret_dirfd,
		    struct cinch_error *err);

int cinch_state_dir_open(const char *root, const char *id, bool exclusive, int *ret_dirfd,
			 struct cinch_error *err)
{
	return open_dir(root, id, true, exclusive, ret_dirfd, err);
}

int cinch_state_dir_open_unlocked(const char *root, const char *id, int *ret_dirfd,
				  struct cinch_error *err)
{
	return open_dir(root, id, false, false, ret_dirfd, err);
}

static int open_dir(const char *root, const char *id, bool lock, bool exclusive, int *ret_dirfd,
		    struct cinch_error *err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int dirfd = -1;
	struct stat st;
	int r;

	r = cinch_state_validate_id(id, err);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/%s", root, id) < 0)
		return cinch_error_set(err, ENOMEM, "container %s: out of memory", id);
	dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			return cinch_error_set(err, ENOENT, "container %s does not exist", id);
		return cinch_error_errno(err, errno, "open state directory %s", path);
	}
	r = lock ? lock_dir(dirfd, exclusive, id, err) : 0;
	if (r < 0)
		return r;
	/* A concurrent delete may have removed the directory while we waited. */
	if (fstat(dirfd, &st) < 0)
		return cinch_error_errno(err, errno, "stat state directory %s", path);
	if (st.st_nlink == 0)
		return cinch_error_set(err, ENOENT, "container %s does not exist", id);
	*ret_dirfd = steal_fd(&dirfd);
	return 0;
}

int cinch_state_dir_remove(const char *root, const char *id, int dirfd, struct cinch_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_close_ int rootfd = -1;
	int fd;
	struct dirent *de;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "open state directory of %s", id);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return cinch_error_errno(err, errno, "read state directory of %s", id);
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) < 0) {
			if (errno == EISDIR && unlinkat(dirfd, de->d_name, AT_REMOVEDIR) == 0)
				continue;
			if (errno != ENOENT)
				return cinch_error_errno(err, errno, "remove %s/%s/%s", root, id,
							 de->d_name);
		}
	}
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cinch_error_errno(err, errno, "open state root %s", root);
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return cinch_error_errno(err, errno, "remove state directory %s/%s", root, id);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Ours iff state.json parses and carries cinch's marker. */
static bool is_cinch_dir(int rootfd, const char *name)
{
	_cleanup_close_ int dirfd =
	    openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct cinch_error err;
	struct cinch_state *st = NULL;

	if (dirfd < 0)
		return false;
	if (cinch_state_load(dirfd, name, &st, &err) < 0)
		return false;
	cinch_state_free(st);
	return true;
}

int cinch_state_list_ids(const char *root, char ***ret, size_t *ret_len, struct cinch_error *err)
{
	_cleanup_closedir_ DIR *d = opendir(root);
	_cleanup_strv_ char **ids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d && errno != ENOENT)
		return cinch_error_errno(err, errno, "open state root %s", root);
	ids = calloc(1, sizeof(char *));
	if (!ids)
		return cinch_error_set(err, ENOMEM, "list: out of memory");
	cap = 1;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || cinch_state_validate_id(de->d_name, err) < 0)
			continue;
		if (!is_cinch_dir(dirfd(d), de->d_name))
			continue;
		if (n + 1 >= cap) {
			char **nv = realloc(ids, sizeof(char *) * cap * 2);
			if (!nv)
				return cinch_error_set(err, ENOMEM, "list: out of memory");
			ids = nv;
			cap *= 2;
		}
		ids[n] = strdup(de->d_name);
		if (!ids[n])
			return cinch_error_set(err, ENOMEM, "list: out of memory");
		ids[++n] = NULL;
	}
	cinch_error_clear(err);
	qsort(ids, n, sizeof(char *), cmp_str);
	*ret_len = n;
	*ret = steal_pointer(&ids);
	return 0;
}

int cinch_state_pid_start_time(pid_t pid, uint64_t *ret)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long start;

	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields restart after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	p++;
	/* A zombie still has a start time, but it is not a live container. */
	if (p[0] == ' ' && p[1] == 'Z')
		return -ESRCH;
	/* After ')' come field 3 (state) ... field 22 (starttime): skip 19 fields. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EIO;
	}
	if (sscanf(p, " %llu", &start) != 1)
		return -EIO;
	*ret = start;
	return 0;
}

int cinch_state_now(char **ret, struct cinch_error *err)
{
	struct timespec ts;
	struct tm tm;
	char date[64];
	char frac[16];
	int len;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's RFC3339Nano drops trailing zeros of the fraction. */
	snprintf(frac, sizeof(frac), ".%09ld", ts.tv_nsec);
	len = (int)strlen(frac);
	while (len > 1 && frac[len - 1] == '0')
		frac[--len] = '\0';
	if (len == 1)
		frac[0] = '\0';
	if (asprintf(ret, "%s%sZ", date, frac) < 0)
		return cinch_error_set(err, ENOMEM, "time: out of memory");
	return 0;
}

int cinch_state_write_file(int dirfd, const char *name, const char *data, size_t len,
			   struct cinch_error *err)
{
	char tmp[256];
	_cleanup_close_ int fd = -1;
	size_t off = 0;

	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp))
		return cinch_error_set(err, ENAMETOOLONG, "state file name %s too long", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return cinch_error_errno(err, errno, "write state file %s", name);
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			unlinkat(dirfd, tmp, 0);
			return cinch_error_errno(err, e, "write state file %s", name);
		}
		off += (size_t)n;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return cinch_error_errno(err, e, "rename state file %s", name);
	}
	return 0;
}
