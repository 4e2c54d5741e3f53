/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rules "devices" and "sysctls".
 *  - devices: a device node asked for in linux.devices must be on
 *    rules.devices.allow (null, zero, full, random, urandom, tty, console,
 *    ptmx, pts by default), else refused (--device, --privileged). Device
 *    cgroup allow rules wider than the allowlist (allow-all, wildcards) are
 *    removed; a rule that only allows mknod ("m") is harmless and kept.
 *  - sysctls: every name must be on rules.sysctls.allow (the Pod Security
 *    Standards' namespaced, safe list), else refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static bool device_allowed(const struct policy_settings *s, char type, int64_t major, int64_t minor)
{
	if (type == 'u')
		type = 'c'; /* unbuffered character device */
	for (size_t i = 0; i < s->devices.n_allow; i++) {
		const struct device_allow *d = &s->devices.allow[i];
		if (d->type == type && d->major == major && (d->minor < 0 || d->minor == minor))
			return true;
	}
	return false;
}

static bool rule_ok(const struct policy_settings *s, const struct cinch_device_rule *d)
{
	if (!d->allow)
		return true;
	if (d->access && strspn(d->access, "m") == strlen(d->access) && d->access[0])
		return true;
	if (!d->type || strcmp(d->type, "a") == 0 || !d->major.present)
		return false;
	if (!d->minor.present) /* every minor of a major */
		return false;
	return device_allowed(s, d->type[0], d->major.value, d->minor.value);
}

int policy_rule_devices(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_linux *l = rc->spec->linux_;
	int r;

	if (!l)
		return 0;
	for (size_t i = 0; i < l->devices.len; i++) {
		const struct cinch_device *d = &l->devices.items[i];
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *before = NULL;

		if (d->type && device_allowed(s, d->type[0], d->major, d->minor))
			continue;
		path = json_fmt(".linux.devices[%zu]", i);
		before = json_fmt("{\"path\":\"%s\",\"type\":\"%s\",\"major\":%lld,\"minor\":%lld}",
				  d->path ? d->path : "", d->type ? d->type : "",
				  (long long)d->major, (long long)d->minor);
		if (!path || !before)
			return rule_oom(rc);
		r = rule_refuse(rc, RULE_DEVICES, path, before,
				"device %s (%s %lld:%lld) is not allowed", d->path ? d->path : "?",
				d->type ? d->type : "?", (long long)d->major, (long long)d->minor);
		if (r < 0)
			return r;
	}
	if (!l->resources)
		return 0;
	for (size_t i = 0; i < l->resources->devices.len;) {
		struct cinch_device_rules *rules = &l->resources->devices;
		struct cinch_device_rule *d = &rules->items[i];
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *before = NULL;

		if (rule_ok(s, d)) {
			i++;
			continue;
		}
		path = json_fmt(".linux.resources.devices[%zu]", i);
		before = json_fmt(
		    "{\"allow\":true,\"type\":\"%s\",\"major\":%s%lld,\"minor\":%s%lld,"
		    "\"access\":\"%s\"}",
		    d->type ? d->type : "a", d->major.present ? "" : "-",
		    d->major.present ? (long long)d->major.value : 1LL, d->minor.present ? "" : "-",
		    d->minor.present ? (long long)d->minor.value : 1LL,
		    d->access ? d->access : "rwm");
		if (!path || !before)
			return rule_oom(rc);
		r = rule_rewrite(rc, RULE_DEVICES, path, before, "removed",
				 "device access beyond the allowed devices");
		if (r < 0)
			return r;
		if (r == 0) {
			i++;
			continue;
		}
		free(d->type);
		free(d->access);
		memmove(d, d + 1, (rules->len - i - 1) * sizeof(*d));
		rules->len--;
	}
	return 0;
}

int policy_rule_sysctls(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_linux *l = rc->spec->linux_;
	int r;

	if (!l)
		return 0;
	for (size_t i = 0; i < l->sysctl.len; i++) {
		const struct cinch_kv *kv = &l->sysctl.items[i];
		_cleanup_free_ char *path = NULL;
		_cleanup_free_ char *before = NULL;

		if (pstrv_contains(&s->sysctls.allow, kv->key))
			continue;
		path = json_fmt(".linux.sysctl[\"%s\"]", kv->key);
		before = json_string(kv->value);
		if (!path || !before)
			return rule_oom(rc);
		r = rule_refuse(rc, RULE_SYSCTLS, path, before, "sysctl %s is not allowed",
				kv->key);
		if (r < 0)
			return r;
	}
	return 0;
}
