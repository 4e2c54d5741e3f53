/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applying OCI capabilities and the process identity: dropping the bounding
 * set, switching uid/gid/groups without losing capabilities on the way, and
 * then setting the effective/permitted/inheritable (libcap-ng) and ambient
 * sets to exactly what the spec lists. Every capability asked for is checked
 * against what the runtime itself holds first, so a host that lacks one
 * (CAP_SYS_RESOURCE in some VMs) gives a sentence, not a bare EPERM.
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/security.h"
#include "src/security/security-internal.h"

static bool has(uint64_t mask, int cap)
{
	return (mask >> cap) & 1;
}

/* The runtime's own bounding set, as a mask over 0..last_cap. */
static int read_bounding(int last_cap, uint64_t *ret, struct cinch_error *err)
{
	uint64_t mask = 0;

	for (int cap = 0; cap <= last_cap; cap++) {
		int r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);

		if (r < 0)
			return cinch_error_errno(err, errno, "reading bounding set (%s)",
						 cinch_cap_name(cap));
		if (r > 0)
			mask |= UINT64_C(1) << cap;
	}
	*ret = mask;
	return 0;
}

static int not_held_error(int cap, uint64_t bounding, struct cinch_error *err)
{
	if (!has(bounding, cap))
		return cinch_error_set(err, EPERM,
				       "capability %s is not in the runtime's bounding set",
				       cinch_cap_name(cap));
	return cinch_error_set(err, EPERM, "capability %s is not in the runtime's permitted set",
			       cinch_cap_name(cap));
}

int cinch_caps_apply_bounding(const struct cinch_capabilities *caps, struct cinch_error *err)
{
	uint64_t want = 0, current;
	int last, r;

	last = cinch_cap_last_cap(err);
	if (last < 0)
		return last;
	if (caps) {
		r = security_caps_mask(&caps->bounding, "bounding", last, &want, err);
		if (r < 0)
			return r;
	}
	r = read_bounding(last, &current, err);
	if (r < 0)
		return r;
	/* Asking to keep what we do not have is an error, not a silent skip. */
	for (int cap = 0; cap <= last; cap++)
		if (has(want, cap) && !has(current, cap))
			return not_held_error(cap, current, err);
	for (int cap = 0; cap <= last; cap++) {
		if (has(want, cap) || !has(current, cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
			return cinch_error_errno(err, errno, "dropping %s from the bounding set",
						 cinch_cap_name(cap));
	}
	return 0;
}

struct cap_sets {
	uint64_t effective, permitted, inheritable, ambient;
};

static int parse_sets(const struct cinch_capabilities *caps, int last, struct cap_sets *s,
		      struct cinch_error *err)
{
	int r;

	memset(s, 0, sizeof(*s));
	if (!caps)
		return 0;
	r = security_caps_mask(&caps->effective, "effective", last, &s->effective, err);
	if (r >= 0)
		r = security_caps_mask(&caps->permitted, "permitted", last, &s->permitted, err);
	if (r >= 0)
		r = security_caps_mask(&caps->inheritable, "inheritable", last, &s->inheritable,
				       err);
	if (r >= 0)
		r = security_caps_mask(&caps->ambient, "ambient", last, &s->ambient, err);
	return r;
}

/* The kernel's own rules, checked up front for a readable message:
 * effective within permitted (capset), ambient within permitted and
 * inheritable (PR_CAP_AMBIENT_RAISE), and nothing the runtime does not hold
 * itself (capset never grows the permitted set). */
static int check_sets(const struct cap_sets *s, int last, struct cinch_error *err)
{
	uint64_t bounding, held = 0;
	int r;

	for (int cap = 0; cap <= last; cap++) {
		if (has(s->effective, cap) && !has(s->permitted, cap))
			return cinch_error_set(err, EINVAL,
					       ".process.capabilities.effective: %s is not in "
					       ".process.capabilities.permitted",
					       cinch_cap_name(cap));
		if (has(s->ambient, cap) && !(has(s->permitted, cap) && has(s->inheritable, cap)))
			return cinch_error_set(err, EINVAL,
					       ".process.capabilities.ambient: %s must also be in "
					       "permitted and inheritable",
					       cinch_cap_name(cap));
	}
	r = read_bounding(last, &bounding, err);
	if (r < 0)
		return r;
	if (capng_get_caps_process() < 0)
		return cinch_error_errno(err, errno ? errno : EIO, "reading own capabilities");
	for (int cap = 0; cap <= last; cap++)
		if (capng_have_capability(CAPNG_PERMITTED, (unsigned)cap))
			held |= UINT64_C(1) << cap;
	for (int cap = 0; cap <= last; cap++)
		if ((has(s->permitted, cap) || has(s->inheritable, cap)) && !has(held, cap))
			return not_held_error(cap, bounding, err);
	return 0;
}

/* In a user namespace whose setgroups is "deny", clearing the groups is
 * impossible and also unnecessary: the process cannot hold any unmapped
 * group. Only that case is tolerated. */
static bool setgroups_denied(void)
{
	_cleanup_close_ int fd = -1;
	char buf[16] = {0};

	fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return false;
	return strncmp(buf, "deny", 4) == 0;
}

static int switch_user(const struct cinch_user *user, struct cinch_error *err)
{
	const struct cinch_u32v *gids = &user->additional_gids;

	if (gids->len > 0) {
		_cleanup_free_ gid_t *list = calloc(gids->len, sizeof(gid_t));

		if (!list)
			return cinch_error_set(err, ENOMEM, "out of memory");
		for (size_t i = 0; i < gids->len; i++)
			list[i] = gids->items[i];
		if (setgroups(gids->len, list) < 0)
			return cinch_error_errno(err, errno,
						 ".process.user.additionalGids: setgroups");
	} else if (setgroups(0, NULL) < 0 && !(errno == EPERM && setgroups_denied())) {
		return cinch_error_errno(err, errno, "clearing supplementary groups");
	}
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return cinch_error_errno(err, errno, ".process.user.gid: setresgid(%u)", user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return cinch_error_errno(err, errno, ".process.user.uid: setresuid(%u)", user->uid);
	return 0;
}

static int apply_sets(const struct cap_sets *s, int last, struct cinch_error *err)
{
	const struct {
		capng_type_t type;
		uint64_t mask;
	} kinds[] = {
	    {CAPNG_EFFECTIVE, s->effective},
	    {CAPNG_PERMITTED, s->permitted},
	    {CAPNG_INHERITABLE, s->inheritable},
	    {CAPNG_AMBIENT, s->ambient},
	};

	capng_clear(CAPNG_SELECT_ALL);
	for (size_t k = 0; k < N_ELEMENTS(kinds); k++) {
		for (int cap = 0; cap <= last; cap++)
			if (has(kinds[k].mask, cap) &&
			    capng_update(CAPNG_ADD, kinds[k].type, (unsigned)cap) < 0)
				return cinch_error_set(err, EINVAL, "libcap-ng rejected %s",
						       cinch_cap_name(cap));
	}
	/* One capset for E/P/I; ambient afterwards, since raising an ambient
	 * capability needs it in the new permitted and inheritable sets. */
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return cinch_error_errno(err, errno ? errno : EPERM, "setting capabilities");
	if (capng_apply(CAPNG_SELECT_AMBIENT) < 0)
		return cinch_error_errno(err, errno ? errno : EPERM,
					 "setting ambient capabilities");
	return 0;
}

int cinch_identity_apply(const struct cinch_user *user, const struct cinch_capabilities *caps,
			 struct cinch_error *err)
{
	struct cap_sets sets;
	int last, r;

	last = cinch_cap_last_cap(err);
	if (last < 0)
		return last;
	r = parse_sets(caps, last, &sets, err);
	if (r < 0)
		return r;
	r = check_sets(&sets, last, err);
	if (r < 0)
		return r;
	if (user) {
		/* Keep the permitted set across the uid change; the effective
		 * set is cleared by the kernel and rebuilt below. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
			return cinch_error_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");
		r = switch_user(user, err);
		if (r < 0)
			return r;
		if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
			return cinch_error_errno(err, errno, "prctl(PR_SET_KEEPCAPS)");
	}
	return apply_sets(&sets, last, err);
}
