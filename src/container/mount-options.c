/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI mount options -> what the kernel's mount APIs take: per-mount
 * attributes (MOUNT_ATTR_*), recursive attributes for the r* options,
 * superblock flags, propagation, and cinch's own switches (bind, rbind,
 * remount, tmpcopyup, idmap, ridmap). Whatever the table does not know is
 * filesystem data ("mode=755", "size=65536k") passed to the filesystem.
 * Pure: no syscalls, so the table is unit-tested without root.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "cinch/cleanup.h"
#include "rootfs-internal.h"

enum opt_kind {
	OPT_ATTR,   /* per-mount attribute (set or clear) */
	OPT_ATIME,  /* atime mode: value in the MOUNT_ATTR__ATIME field */
	OPT_RATTR,  /* recursive attribute (set or clear) */
	OPT_RATIME, /* recursive atime mode */
	OPT_SB,	    /* superblock flag (set or clear) */
	OPT_PROPAGATION,
	OPT_SWITCH,
	OPT_IGNORE, /* accepted, no effect ("defaults") */
};

enum opt_switch {
	SW_BIND,
	SW_RBIND,
	SW_REMOUNT,
	SW_TMPCOPYUP,
	SW_IDMAP,
	SW_RIDMAP,
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	bool clear;	     /* the option turns the bit off */
	unsigned long value; /* attribute, flag, propagation or switch */
	bool recursive;	     /* for OPT_PROPAGATION */
};

/*
 * "norelatime" and "nostrictatime" have no direct new-API equivalent: the
 * atime field takes one mode. They fall back to the kernel default
 * (relatime) for nostrictatime and to strictatime for norelatime, which is
 * what turning the named mode off means on a kernel whose default is
 * relatime. "atime" (undo noatime) likewise selects relatime.
 */
static const struct opt_def table[] = {
    {"defaults", OPT_IGNORE, false, 0, false},
    {"ro", OPT_ATTR, false, MOUNT_ATTR_RDONLY, false},
    {"rw", OPT_ATTR, true, MOUNT_ATTR_RDONLY, false},
    {"nosuid", OPT_ATTR, false, MOUNT_ATTR_NOSUID, false},
    {"suid", OPT_ATTR, true, MOUNT_ATTR_NOSUID, false},
    {"nodev", OPT_ATTR, false, MOUNT_ATTR_NODEV, false},
    {"dev", OPT_ATTR, true, MOUNT_ATTR_NODEV, false},
    {"noexec", OPT_ATTR, false, MOUNT_ATTR_NOEXEC, false},
    {"exec", OPT_ATTR, true, MOUNT_ATTR_NOEXEC, false},
    {"nodiratime", OPT_ATTR, false, MOUNT_ATTR_NODIRATIME, false},
    {"diratime", OPT_ATTR, true, MOUNT_ATTR_NODIRATIME, false},
    {"nosymfollow", OPT_ATTR, false, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"symfollow", OPT_ATTR, true, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"noatime", OPT_ATIME, false, MOUNT_ATTR_NOATIME, false},
    {"atime", OPT_ATIME, false, MOUNT_ATTR_RELATIME, false},
    {"relatime", OPT_ATIME, false, MOUNT_ATTR_RELATIME, false},
    {"norelatime", OPT_ATIME, false, MOUNT_ATTR_STRICTATIME, false},
    {"strictatime", OPT_ATIME, false, MOUNT_ATTR_STRICTATIME, false},
    {"nostrictatime", OPT_ATIME, false, MOUNT_ATTR_RELATIME, false},
    {"rro", OPT_RATTR, false, MOUNT_ATTR_RDONLY, false},
    {"rrw", OPT_RATTR, true, MOUNT_ATTR_RDONLY, false},
    {"rnosuid", OPT_RATTR, false, MOUNT_ATTR_NOSUID, false},
    {"rsuid", OPT_RATTR, true, MOUNT_ATTR_NOSUID, false},
    {"rnodev", OPT_RATTR, false, MOUNT_ATTR_NODEV, false},
    {"rdev", OPT_RATTR, true, MOUNT_ATTR_NODEV, false},
    {"rnoexec", OPT_RATTR, false, MOUNT_ATTR_NOEXEC, false},
    {"rexec", OPT_RATTR, true, MOUNT_ATTR_NOEXEC, false},
    {"rnodiratime", OPT_RATTR, false, MOUNT_ATTR_NODIRATIME, false},
    {"rdiratime", OPT_RATTR, true, MOUNT_ATTR_NODIRATIME, false},
    {"rnosymfollow", OPT_RATTR, false, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"rsymfollow", OPT_RATTR, true, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"rnoatime", OPT_RATIME, false, MOUNT_ATTR_NOATIME, false},
    {"ratime", OPT_RATIME, false, MOUNT_ATTR_RELATIME, false},
    {"rrelatime", OPT_RATIME, false, MOUNT_ATTR_RELATIME, false},
    {"rnorelatime", OPT_RATIME, false, MOUNT_ATTR_STRICTATIME, false},
    {"rstrictatime", OPT_RATIME, false, MOUNT_ATTR_STRICTATIME, false},
    {"rnostrictatime", OPT_RATIME, false, MOUNT_ATTR_RELATIME, false},
    {"sync", OPT_SB, false, MS_SYNCHRONOUS, false},
    {"async", OPT_SB, true, MS_SYNCHRONOUS, false},
    {"dirsync", OPT_SB, false, MS_DIRSYNC, false},
    {"mand", OPT_SB, false, MS_MANDLOCK, false},
    {"nomand", OPT_SB, true, MS_MANDLOCK, false},
    {"lazytime", OPT_SB, false, MS_LAZYTIME, false},
    {"nolazytime", OPT_SB, true, MS_LAZYTIME, false},
    {"silent", OPT_SB, false, MS_SILENT, false},
    {"loud", OPT_SB, true, MS_SILENT, false},
    {"private", OPT_PROPAGATION, false, MS_PRIVATE, false},
    {"rprivate", OPT_PROPAGATION, false, MS_PRIVATE, true},
    {"shared", OPT_PROPAGATION, false, MS_SHARED, false},
    {"rshared", OPT_PROPAGATION, false, MS_SHARED, true},
    {"slave", OPT_PROPAGATION, false, MS_SLAVE, false},
    {"rslave", OPT_PROPAGATION, false, MS_SLAVE, true},
    {"unbindable", OPT_PROPAGATION, false, MS_UNBINDABLE, false},
    {"runbindable", OPT_PROPAGATION, false, MS_UNBINDABLE, true},
    {"bind", OPT_SWITCH, false, SW_BIND, false},
    {"rbind", OPT_SWITCH, false, SW_RBIND, false},
    {"remount", OPT_SWITCH, false, SW_REMOUNT, false},
    {"tmpcopyup", OPT_SWITCH, false, SW_TMPCOPYUP, false},
    {"idmap", OPT_SWITCH, false, SW_IDMAP, false},
    {"ridmap", OPT_SWITCH, false, SW_RIDMAP, false},
};

static const struct opt_def *lookup(const char *name)
{
	for (size_t i = 0; i < N_ELEMENTS(table); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static void set_bits(uint64_t *set, uint64_t *clr, uint64_t bits, bool clear)
{
	if (clear) {
		*set &= ~bits;
		*clr |= bits;
	} else {
		*set |= bits;
		*clr &= ~bits;
	}
}

static void set_atime(uint64_t *set, uint64_t *clr, uint64_t mode)
{
	*set = (*set & ~(uint64_t)MOUNT_ATTR__ATIME) | mode;
	*clr |= MOUNT_ATTR__ATIME;
}

static void apply_switch(struct cinch_mount_opts *o, enum opt_switch sw)
{
	switch (sw) {
	case SW_BIND:
		o->bind = true;
		break;
	case SW_RBIND:
		o->bind = o->rbind = true;
		break;
	case SW_REMOUNT:
		o->remount = true;
		break;
	case SW_TMPCOPYUP:
		o->tmpcopyup = true;
		break;
	case SW_IDMAP:
		o->idmap = true;
		break;
	case SW_RIDMAP:
		o->idmap = o->ridmap = true;
		break;
	default:
		break;
	}
}

static int append_data(char **data, size_t *len, const char *opt, struct cinch_error *err)
{
	size_t n = strlen(opt);
	char *p = realloc(*data, *len + n + 2);

	if (!p)
		return cinch_error_errno(err, ENOMEM, "mount option %s", opt);
	if (*len > 0)
		p[(*len)++] = ',';
	memcpy(p + *len, opt, n + 1);
	*len += n;
	*data = p;
	return 0;
}

int cinch_mount_opts_parse(const struct cinch_strv *options, struct cinch_mount_opts *ret,
			   struct cinch_error *err)
{
	struct cinch_mount_opts o = {0};
	_cleanup_free_ char *data = NULL;
	size_t data_len = 0;

	for (size_t i = 0; i < options->len; i++) {
		const char *name = options->items[i];
		const struct opt_def *d = lookup(name);
		int r;

		if (name[0] == '\0')
			return cinch_error_set(err, EINVAL, "options[%zu]: empty mount option", i);
		if (!d) {
			r = append_data(&data, &data_len, name, err);
			if (r < 0)
				return r;
			continue;
		}
		switch (d->kind) {
		case OPT_ATTR:
			set_bits(&o.attr_set, &o.attr_clr, d->value, d->clear);
			break;
		case OPT_ATIME:
			set_atime(&o.attr_set, &o.attr_clr, d->value);
			break;
		case OPT_RATTR:
			set_bits(&o.rec_attr_set, &o.rec_attr_clr, d->value, d->clear);
			break;
		case OPT_RATIME:
			set_atime(&o.rec_attr_set, &o.rec_attr_clr, d->value);
			break;
		case OPT_SB:
			if (d->clear) {
				o.sb_set &= ~d->value;
				o.sb_clr |= d->value;
			} else {
				o.sb_set |= d->value;
				o.sb_clr &= ~d->value;
			}
			break;
		case OPT_PROPAGATION:
			o.propagation = d->value;
			o.propagation_recursive = d->recursive;
			break;
		case OPT_SWITCH:
			apply_switch(&o, (enum opt_switch)d->value);
			break;
		case OPT_IGNORE:
		default:
			break;
		}
	}
	if (!data) {
		data = strdup("");
		if (!data)
			return cinch_error_errno(err, ENOMEM, "mount options");
	}
	o.data = steal_pointer(&data);
	*ret = o;
	return 0;
}

void cinch_mount_opts_free(struct cinch_mount_opts *opts)
{
	free(opts->data);
	opts->data = NULL;
}

unsigned long cinch_mount_opts_ms_flags(const struct cinch_mount_opts *o)
{
	static const struct {
		uint64_t attr;
		unsigned long ms;
	} map[] = {
	    {MOUNT_ATTR_RDONLY, MS_RDONLY},	    {MOUNT_ATTR_NOSUID, MS_NOSUID},
	    {MOUNT_ATTR_NODEV, MS_NODEV},	    {MOUNT_ATTR_NOEXEC, MS_NOEXEC},
	    {MOUNT_ATTR_NODIRATIME, MS_NODIRATIME}, {MOUNT_ATTR_NOSYMFOLLOW, MS_NOSYMFOLLOW},
	};
	unsigned long flags = o->sb_set;

	for (size_t i = 0; i < N_ELEMENTS(map); i++)
		if (o->attr_set & map[i].attr)
			flags |= map[i].ms;
	if (o->attr_clr & MOUNT_ATTR__ATIME) {
		switch (o->attr_set & MOUNT_ATTR__ATIME) {
		case MOUNT_ATTR_NOATIME:
			flags |= MS_NOATIME;
			break;
		case MOUNT_ATTR_STRICTATIME:
			flags |= MS_STRICTATIME;
			break;
		default:
			flags |= MS_RELATIME;
			break;
		}
	}
	if (o->bind)
		flags |= MS_BIND | (o->rbind ? MS_REC : 0);
	if (o->remount)
		flags |= MS_REMOUNT;
	return flags;
}
