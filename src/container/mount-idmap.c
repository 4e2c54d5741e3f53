/* SPDX-License-Identifier: Apache-2.0 */
/*
 * idmap / ridmap mounts: MOUNT_ATTR_IDMAP needs a user namespace that
 * carries the mount's uidMappings/gidMappings. A short-lived child unshares
 * a user namespace, the caller writes its maps, keeps an fd of it, and the
 * child exits; the namespace lives on through the fd until the attribute is
 * set on the (still detached) mount. Where mount_setattr or open_tree
 * answer ENOSYS there is no equivalent (mount(2) cannot idmap): refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "rootfs-internal.h"

static int write_map(const char *pid, const char *file, const struct cinch_id_mappings *maps,
		     struct cinch_error *err)
{
	char path[64];
	char buf[4096];
	size_t len = 0;
	_cleanup_close_ int fd = -1;

	for (size_t i = 0; i < maps->len; i++) {
		int n = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n",
				 maps->items[i].container_id, maps->items[i].host_id,
				 maps->items[i].size);

		if (n < 0 || (size_t)n >= sizeof(buf) - len)
			return cinch_error_set(err, E2BIG, "%s: too many mappings", file);
		len += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "%s", path);
	if (write(fd, buf, len) != (ssize_t)len)
		return cinch_error_errno(err, errno, "writing %s", path);
	return 0;
}

/* Child: enter a new user namespace, report its pid as /proc names it (the
 * caller may be in a pid namespace that /proc does not belong to), then
 * wait for the parent to close the pipe. Only async-signal-safe calls. */
static void userns_child(int ready_w, int done_r, int done_w)
{
	char pid[32];
	ssize_t n;
	char c;

	/* The parent closing its end must reach us as EOF. */
	close(done_w);
	if (unshare(CLONE_NEWUSER) < 0)
		_exit(1);
	n = readlink("/proc/self", pid, sizeof(pid) - 1);
	if (n <= 0 || write(ready_w, pid, (size_t)n) != n)
		_exit(1);
	close(ready_w);
	(void)!read(done_r, &c, 1);
	_exit(0);
}

static int make_userns(const struct cinch_id_mappings *uids, const struct cinch_id_mappings *gids,
		       struct cinch_error *err)
{
	int ready[2] = {-1, -1}, done[2] = {-1, -1};
	char path[64];
	int nsfd = -1, r = 0, status;
	char procpid[32];
	ssize_t n;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0) {
		r = cinch_error_errno(err, errno, "pipe");
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = cinch_error_errno(err, errno, "fork");
		goto out;
	}
	if (pid == 0)
		userns_child(ready[1], done[0], done[1]);
	close(ready[1]);
	ready[1] = -1;
	n = read(ready[0], procpid, sizeof(procpid) - 1);
	if (n <= 0) {
		r = cinch_error_set(err, EPERM, "cannot create a user namespace for the mapping");
	} else {
		procpid[n] = '\0';
		r = write_map(procpid, "uid_map", uids, err);
		if (r >= 0)
			r = write_map(procpid, "gid_map", gids, err);
		if (r >= 0) {
			snprintf(path, sizeof(path), "/proc/%s/ns/user", procpid);
			nsfd = open(path, O_RDONLY | O_CLOEXEC);
			if (nsfd < 0)
				r = cinch_error_errno(err, errno, "%s", path);
		}
	}
	close(done[1]);
	done[1] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
out:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (done[i] >= 0)
			close(done[i]);
	}
	return r < 0 ? r : nsfd;
}

int cinch_mount_idmap(struct cinch_mnt *m, const struct cinch_id_mappings *uids,
		      const struct cinch_id_mappings *gids, bool recursive, struct cinch_error *err)
{
	_cleanup_close_ int nsfd = -1;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP};

	if (!uids || !gids || uids->len == 0 || gids->len == 0)
		return cinch_error_set(
		    err, EINVAL,
		    "idmap needs uidMappings and gidMappings (on the mount or in "
		    ".linux)");
	/* The attribute exists only on a detached mount (open_tree): without
	 * the new API there is nothing to set it on. */
	if (!cinch_mnt_detached(m))
		return cinch_error_set(err, ENOSYS,
				       "idmapped mounts need mount_setattr (kernel 5.12+), which "
				       "this system answers with ENOSYS");
	nsfd = make_userns(uids, gids, err);
	if (nsfd < 0)
		return nsfd;
	a.userns_fd = (uint64_t)nsfd;
	if (mount_setattr(m->fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a,
			  sizeof(a)) < 0) {
		if (errno == ENOSYS)
			return cinch_error_set(err, ENOSYS,
					       "idmapped mounts need mount_setattr (kernel 5.12+), "
					       "which this system answers with ENOSYS");
		return cinch_error_errno(err, errno, "setting the id mapping on the mount");
	}
	return 0;
}
