/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device-cgroup rules: normalising linux.resources.devices and the ONE
 * default allow list that both the v1 devices controller and the v2 BPF
 * program use. CRI, ctr and podman send only a deny-all rule and expect the
 * runtime to add these, as runc does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

#define RWM CG_DEV_ALL

static const struct cg_dev_rule default_allow[] = {
    /* mknod of any node: creating one is harmless, opening it is checked */
    {true, 'c', -1, -1, CG_DEV_MKNOD},
    {true, 'b', -1, -1, CG_DEV_MKNOD},
    {true, 'c', 1, 3, RWM},    /* /dev/null */
    {true, 'c', 1, 5, RWM},    /* /dev/zero */
    {true, 'c', 1, 7, RWM},    /* /dev/full */
    {true, 'c', 1, 8, RWM},    /* /dev/random */
    {true, 'c', 1, 9, RWM},    /* /dev/urandom */
    {true, 'c', 5, 0, RWM},    /* /dev/tty */
    {true, 'c', 5, 1, RWM},    /* /dev/console */
    {true, 'c', 5, 2, RWM},    /* /dev/ptmx */
    {true, 'c', 136, -1, RWM}, /* /dev/pts/N */
    {true, 'c', 10, 200, RWM}, /* /dev/net/tun: runc allows it too */
};

static int parse_access(const char *s, unsigned *ret)
{
	unsigned a = 0;

	if (!s || !s[0]) {
		*ret = CG_DEV_ALL; /* the spec's default is "rwm" */
		return 0;
	}
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			a |= CG_DEV_READ;
			break;
		case 'w':
			a |= CG_DEV_WRITE;
			break;
		case 'm':
			a |= CG_DEV_MKNOD;
			break;
		default:
			return -EINVAL;
		}
	}
	*ret = a;
	return 0;
}

int cg_devices_effective(const struct cinch_device_rules *rules, struct cg_dev_rule **ret,
			 size_t *ret_len, struct cinch_error *err)
{
	size_t n = 1 + rules->len + N_ELEMENTS(default_allow), k = 0;
	_cleanup_free_ struct cg_dev_rule *out = calloc(n, sizeof(*out));

	if (!out)
		return cinch_error_errno(err, ENOMEM, "device rules");
	out[k++] = (struct cg_dev_rule){false, 'a', -1, -1, CG_DEV_ALL};
	for (size_t i = 0; i < rules->len; i++) {
		const struct cinch_device_rule *d = &rules->items[i];
		struct cg_dev_rule *o = &out[k++];

		o->allow = d->allow;
		if (!d->type || !d->type[0] || strcmp(d->type, "a") == 0)
			o->type = 'a';
		else if (strcmp(d->type, "c") == 0 || strcmp(d->type, "b") == 0)
			o->type = d->type[0];
		else
			return cinch_error_set(
			    err, EINVAL,
			    "linux.resources.devices[%zu].type: \"%s\" is not one "
			    "of a, c, b",
			    i, d->type);
		o->major = d->major.present ? d->major.value : -1;
		o->minor = d->minor.present ? d->minor.value : -1;
		if (o->major < -1 || o->minor < -1 || o->major > UINT32_MAX ||
		    o->minor > UINT32_MAX)
			return cinch_error_set(
			    err, EINVAL, "linux.resources.devices[%zu]: invalid major/minor", i);
		if (parse_access(d->access, &o->access) < 0)
			return cinch_error_set(
			    err, EINVAL,
			    "linux.resources.devices[%zu].access: \"%s\" is not a "
			    "subset of \"rwm\"",
			    i, d->access);
		/* "a" means every device whatever major/minor say. */
		if (o->type == 'a')
			o->major = o->minor = -1;
	}
	for (size_t i = 0; i < N_ELEMENTS(default_allow); i++)
		out[k++] = default_allow[i];
	*ret = steal_pointer(&out);
	*ret_len = k;
	return 0;
}

int cg_dev_rule_format_v1(const struct cg_dev_rule *r, char *buf, size_t len)
{
	char maj[24] = "*", min[24] = "*", acc[4];
	size_t a = 0;

	if (r->type == 'a')
		return snprintf(buf, len, "a") >= (int)len ? -ENAMETOOLONG : 0;
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, r->minor);
	if (r->access & CG_DEV_READ)
		acc[a++] = 'r';
	if (r->access & CG_DEV_WRITE)
		acc[a++] = 'w';
	if (r->access & CG_DEV_MKNOD)
		acc[a++] = 'm';
	acc[a] = '\0';
	return snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc) >= (int)len ? -ENAMETOOLONG
										     : 0;
}
