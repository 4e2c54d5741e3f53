/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exec-time LSM labels: the AppArmor profile and the SELinux label the
 * container process gets at its execve. Both are a write to a procfs attr
 * file, done through security_procfs_open() (verified procfs, no magic
 * links, no mount crossing) rather than libapparmor's aa_change_onexec(),
 * which opens /proc/<tid>/attr/... by path and cannot be checked
 * (CVE-2019-16884, CVE-2025-52881). libapparmor still answers whether
 * AppArmor is enabled. A label on a host without the LSM is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/security.h"
#include "src/security/security-internal.h"

/* Reading our own AppArmor context works only while AppArmor is active,
 * and needs no securityfs, which a container's mount namespace lacks. */
static bool apparmor_attr_readable(void)
{
	struct cinch_error ignored = {0};
	_cleanup_close_ int fd = -1;
	char buf[64];

	fd = security_procfs_open("thread-self/attr/apparmor/current", O_RDONLY, &ignored);
	return fd >= 0 && read(fd, buf, sizeof(buf)) > 0;
}

bool cinch_apparmor_enabled(void)
{
	return aa_is_enabled() == 1 || apparmor_attr_readable();
}

static int write_attr(const char *relpath, const char *value, const char *what,
		      struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	fd = security_procfs_open(relpath, O_WRONLY, err);
	if (fd < 0)
		return cinch_error_prefix(err, "%s", what);
	n = write(fd, value, len);
	if (n < 0)
		return cinch_error_errno(err, errno, "%s: writing /proc/%s", what, relpath);
	if ((size_t)n != len)
		return cinch_error_set(err, EIO, "%s: short write to /proc/%s", what, relpath);
	return 0;
}

static bool valid_label(const char *s)
{
	/* The attr interfaces take one line; a newline or NUL inside would
	 * cut the label or smuggle a second command. */
	return s && *s && strpbrk(s, "\n") == NULL;
}

int cinch_apparmor_exec_profile(const char *profile, struct cinch_error *err)
{
	_cleanup_free_ char *cmd = NULL;
	struct cinch_error probe = {0};
	_cleanup_close_ int fd = -1;
	const char *attr;
	char what[300];
	int r;

	if (!valid_label(profile))
		return cinch_error_set(err, EINVAL,
				       ".process.apparmorProfile: invalid profile name");
	if (!cinch_apparmor_enabled())
		return cinch_error_set(err, EOPNOTSUPP,
				       "apparmor profile %s requested but AppArmor is not enabled "
				       "on this host",
				       profile);
	/* Linux >= 5.8 has a per-LSM directory; older kernels share attr/exec. */
	fd = security_procfs_open("thread-self/attr/apparmor/exec", O_WRONLY, &probe);
	attr = fd >= 0 ? "thread-self/attr/apparmor/exec" : "thread-self/attr/exec";
	if (asprintf(&cmd, "exec %s", profile) < 0)
		return cinch_error_set(err, ENOMEM, "out of memory");
	snprintf(what, sizeof(what), "apparmor profile %s", profile);
	r = write_attr(attr, cmd, what, err);
	/* The kernel's answer for a profile nobody loaded. */
	if (r == -ENOENT)
		return cinch_error_set(err, ENOENT,
				       "apparmor profile %s is not loaded (writing /proc/%s)",
				       profile, attr);
	return r;
}

/* selinuxfs is registered only when SELinux is enabled at boot, and
 * /proc/filesystems is readable from inside any mount namespace. */
static bool selinux_enabled(void)
{
	struct cinch_error ignored = {0};
	_cleanup_fclose_ FILE *f = NULL;
	char line[128];
	int fd;

	fd = security_procfs_open("filesystems", O_RDONLY, &ignored);
	if (fd < 0)
		return false;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return false;
	}
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "\tselinuxfs\n"))
			return true;
	return false;
}

int cinch_selinux_exec_label(const char *label, struct cinch_error *err)
{
	char what[300];

	if (!valid_label(label))
		return cinch_error_set(err, EINVAL, ".process.selinuxLabel: invalid label");
	if (!selinux_enabled())
		return cinch_error_set(err, EOPNOTSUPP,
				       "selinux label %s requested but SELinux is not enabled on "
				       "this host",
				       label);
	snprintf(what, sizeof(what), "selinux label %s", label);
	return write_attr("thread-self/attr/exec", label, what, err);
}
