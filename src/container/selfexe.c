/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-protection against CVE-2019-5736: a process that enters a container
 * (create, run, exec) must not be executing the host's cinch binary, or a
 * container process could reach it through /proc/<pid>/exe (or by making the
 * init execute /proc/self/exe) and overwrite it. We copy the binary into a
 * memfd, seal it against any change (F_SEAL_SEAL|SHRINK|GROW|WRITE) and
 * re-execute from it. "Already sealed" is detected from the running image
 * itself (F_GET_SEALS on /proc/self/exe), never from an environment
 * variable a caller could set.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/container.h"

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static bool running_sealed(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

/* argv as the kernel recorded it, so the re-executed command is the same. */
static int read_cmdline(char **ret_buf, char ***ret_argv, struct cinch_error *err)
{
	_cleanup_close_ int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096, argc = 0;
	char **argv;

	if (fd < 0)
		return cinch_error_errno(err, errno, "self-protection: open /proc/self/cmdline");
	buf = malloc(cap + 1);
	if (!buf)
		return cinch_error_set(err, ENOMEM, "self-protection: out of memory");
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cinch_error_errno(err, errno, "self-protection: read cmdline");
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				return cinch_error_set(err, ENOMEM,
						       "self-protection: out of memory");
			buf = nb;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		argc += buf[i] == '\0';
	argv = calloc(argc + 1, sizeof(char *));
	if (!argv)
		return cinch_error_set(err, ENOMEM, "self-protection: out of memory");
	for (size_t i = 0, k = 0; i < len && k < argc; i += strlen(buf + i) + 1)
		argv[k++] = buf + i;
	*ret_argv = argv;
	*ret_buf = steal_pointer(&buf);
	return 0;
}

static bool maps_host_zero(const struct cinch_id_mappings *m)
{
	for (size_t i = 0; i < m->len; i++)
		if (m->items[i].host_id == 0 && m->items[i].size > 0)
			return true;
	return false;
}

/* True when no container process could write the binary through
 * /proc/<pid>/exe: it runs as unmapped-from-root ids in its own user
 * namespace, and the file is root's and not group/other writable. */
static bool unreachable_binary(const struct cinch_spec *spec)
{
	const struct cinch_namespace *ns;
	struct stat st;

	if (!spec || !spec->linux_)
		return false;
	ns = cinch_spec_find_namespace(spec, CINCH_NS_USER);
	if (!ns || (ns->path && ns->path[0]))
		return false;
	if (!spec->linux_->uid_mappings.len || !spec->linux_->gid_mappings.len ||
	    maps_host_zero(&spec->linux_->uid_mappings) ||
	    maps_host_zero(&spec->linux_->gid_mappings))
		return false;
	if (stat("/proc/self/exe", &st) < 0)
		return false;
	return st.st_uid == 0 && (st.st_mode & 022) == 0;
}

int cinch_container_ensure_sealed_self(const struct cinch_spec *spec, struct cinch_error *err)
{
	_cleanup_free_ char *cmdline = NULL;
	_cleanup_free_ char **argv = NULL;
	_cleanup_close_ int exe = -1;
	_cleanup_close_ int mfd = -1;
	struct stat st;
	off_t off = 0;

	if (running_sealed() || unreachable_binary(spec))
		return 0;
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return cinch_error_errno(err, errno, "self-protection: open /proc/self/exe");
	if (fstat(exe, &st) < 0)
		return cinch_error_errno(err, errno, "self-protection: stat /proc/self/exe");
	mfd = memfd_create("cinch", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return cinch_error_errno(err, errno, "self-protection: memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, exe, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cinch_error_errno(err, n < 0 ? errno : EIO,
						 "self-protection: copy binary to memfd");
	}
	if (fchmod(mfd, 0555) < 0)
		return cinch_error_errno(err, errno, "self-protection: chmod memfd");
	if (fcntl(mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0)
		return cinch_error_errno(err, errno, "self-protection: seal memfd");
	/* Only succeeds if the kernel agrees the copy is sealed; else we would loop. */
	if ((fcntl(mfd, F_GET_SEALS) & REQUIRED_SEALS) != REQUIRED_SEALS)
		return cinch_error_set(err, EPERM, "self-protection: memfd seals did not stick");
	if (read_cmdline(&cmdline, &argv, err) < 0)
		return -err->code;
	fexecve(mfd, argv, environ);
	return cinch_error_errno(err, errno, "self-protection: re-execute from sealed memfd");
}
