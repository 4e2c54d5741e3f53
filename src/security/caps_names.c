/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capability names and numbers: the table of every capability Linux
 * defines (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE), the running kernel's last
 * capability, and turning one OCI capability list into a bit mask with
 * errors that name the JSON element.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/security.h"
#include "src/security/security-internal.h"

/* Designated initializers so a name can never drift from its number. The
 * numbers are part of the kernel ABI; newer ones are spelled out because
 * older kernel headers may lack them. */
static const char *const cap_names[] = {
    [CAP_CHOWN] = "CAP_CHOWN",
    [CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
    [CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
    [CAP_FOWNER] = "CAP_FOWNER",
    [CAP_FSETID] = "CAP_FSETID",
    [CAP_KILL] = "CAP_KILL",
    [CAP_SETGID] = "CAP_SETGID",
    [CAP_SETUID] = "CAP_SETUID",
    [CAP_SETPCAP] = "CAP_SETPCAP",
    [CAP_LINUX_IMMUTABLE] = "CAP_LINUX_IMMUTABLE",
    [CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
    [CAP_NET_BROADCAST] = "CAP_NET_BROADCAST",
    [CAP_NET_ADMIN] = "CAP_NET_ADMIN",
    [CAP_NET_RAW] = "CAP_NET_RAW",
    [CAP_IPC_LOCK] = "CAP_IPC_LOCK",
    [CAP_IPC_OWNER] = "CAP_IPC_OWNER",
    [CAP_SYS_MODULE] = "CAP_SYS_MODULE",
    [CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
    [CAP_SYS_CHROOT] = "CAP_SYS_CHROOT",
    [CAP_SYS_PTRACE] = "CAP_SYS_PTRACE",
    [CAP_SYS_PACCT] = "CAP_SYS_PACCT",
    [CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
    [CAP_SYS_BOOT] = "CAP_SYS_BOOT",
    [CAP_SYS_NICE] = "CAP_SYS_NICE",
    [CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
    [CAP_SYS_TIME] = "CAP_SYS_TIME",
    [CAP_SYS_TTY_CONFIG] = "CAP_SYS_TTY_CONFIG",
    [CAP_MKNOD] = "CAP_MKNOD",
    [CAP_LEASE] = "CAP_LEASE",
    [CAP_AUDIT_WRITE] = "CAP_AUDIT_WRITE",
    [CAP_AUDIT_CONTROL] = "CAP_AUDIT_CONTROL",
    [CAP_SETFCAP] = "CAP_SETFCAP",
    [CAP_MAC_OVERRIDE] = "CAP_MAC_OVERRIDE",
    [CAP_MAC_ADMIN] = "CAP_MAC_ADMIN",
    [CAP_SYSLOG] = "CAP_SYSLOG",
    [CAP_WAKE_ALARM] = "CAP_WAKE_ALARM",
    [CAP_BLOCK_SUSPEND] = "CAP_BLOCK_SUSPEND",
    [CAP_AUDIT_READ] = "CAP_AUDIT_READ",
    [38] = "CAP_PERFMON",
    [39] = "CAP_BPF",
    [40] = "CAP_CHECKPOINT_RESTORE",
};

int cinch_cap_max_known(void)
{
	return (int)N_ELEMENTS(cap_names) - 1;
}

const char *cinch_cap_name(int cap)
{
	if (cap < 0 || cap > cinch_cap_max_known())
		return NULL;
	return cap_names[cap];
}

int cinch_cap_from_name(const char *name, int *ret)
{
	if (!name || strncasecmp(name, "CAP_", 4) != 0)
		return -EINVAL;
	for (int i = 0; i <= cinch_cap_max_known(); i++) {
		if (strcasecmp(name, cap_names[i]) == 0) {
			*ret = i;
			return 0;
		}
	}
	return -EINVAL;
}

int cinch_cap_last_cap(struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	char buf[32];
	ssize_t n;
	char *end;
	long v;

	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "open /proc/sys/kernel/cap_last_cap");
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return cinch_error_errno(err, errno, "read /proc/sys/kernel/cap_last_cap");
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v < 0 || v > 63)
		return cinch_error_set(err, EIO,
				       "/proc/sys/kernel/cap_last_cap: unexpected content");
	return (int)v;
}

int security_caps_mask(const struct cinch_strv *list, const char *set, int last_cap, uint64_t *ret,
		       struct cinch_error *err)
{
	uint64_t mask = 0;
	int cap;

	for (size_t i = 0; list && i < list->len; i++) {
		const char *name = list->items[i];

		if (cinch_cap_from_name(name, &cap) < 0)
			return cinch_error_set(err, EINVAL,
					       ".process.capabilities.%s[%zu]: unknown capability "
					       "\"%s\"",
					       set, i, name ? name : "");
		if (cap > last_cap)
			return cinch_error_set(
			    err, EINVAL,
			    ".process.capabilities.%s[%zu]: capability %s is not "
			    "known to the running kernel (cap_last_cap is %d)",
			    set, i, cap_names[cap], last_cap);
		mask |= UINT64_C(1) << cap;
	}
	*ret = mask;
	return 0;
}
