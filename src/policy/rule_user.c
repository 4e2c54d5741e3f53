/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rules "user" and "noNewPrivileges": no process of the container (or exec)
 * runs as host uid 0, and none can gain privileges through execve.
 *
 * Strategies for a process that would be host root:
 *  - uid:    run it as rules.user.uid/gid instead (default: 65534). Ordinary
 *            images (busybox, pause) keep working, and nothing else in the
 *            core is needed; programs that insist on root fail visibly.
 *  - userns: give the container a user namespace mapping container root to
 *            hostIdBase..+hostIdCount. Root inside stays root for the image,
 *            but the rootfs and volumes need idmapped mounts (noted for the
 *            core by annotation and OCI mount uidMappings/gidMappings), and
 *            joining namespaces of containers created outside that user
 *            namespace (CRI pods, docker --network container:) fails.
 *  - refuse: refuse it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

int policy_rule_no_new_privileges(struct rule_ctx *rc)
{
	struct cinch_process *p = rc->process;
	_cleanup_free_ char *path = NULL;
	int r;

	if (!p)
		return 0;
	if (p->no_new_privileges.present && p->no_new_privileges.value)
		return 0;
	if (asprintf(&path, "%s.noNewPrivileges", rc->proc_path) < 0)
		return rule_oom(rc);
	r = rule_rewrite(rc, RULE_NO_NEW_PRIVILEGES, path,
			 p->no_new_privileges.present ? "false" : "absent", "true",
			 "setuid binaries and file capabilities must not raise privileges");
	if (r <= 0)
		return r;
	p->no_new_privileges.value = true;
	p->no_new_privileges.present = true;
	return 0;
}

/* The user namespace of the container (for exec: of the running container). */
static const struct cinch_spec *ns_owner(const struct rule_ctx *rc)
{
	return rc->exec ? rc->container : rc->spec;
}

/* Map a container id through the mappings; false when unmapped. */
static bool map_id(const struct cinch_id_mappings *m, uint32_t id, uint32_t *host)
{
	for (size_t i = 0; i < m->len; i++)
		if (id >= m->items[i].container_id &&
		    id - m->items[i].container_id < m->items[i].size) {
			*host = m->items[i].host_id + (id - m->items[i].container_id);
			return true;
		}
	return false;
}

/* Whether `uid` inside the container is uid 0 on the host. */
static bool is_host_root(const struct rule_ctx *rc, uint32_t uid)
{
	const struct cinch_spec *spec = ns_owner(rc);
	const struct cinch_namespace *userns =
	    spec ? cinch_spec_find_namespace(spec, CINCH_NS_USER) : NULL;
	uint32_t host;

	if (!userns)
		return uid == 0;
	if (userns->path)
		return uid == 0; /* joined: the mapping is unknown, assume the worst */
	if (!spec->linux_ || !map_id(&spec->linux_->uid_mappings, uid, &host))
		return false; /* unmapped ids cannot be used at all */
	return host == 0;
}

static int set_user(struct rule_ctx *rc, struct cinch_user *u)
{
	const struct policy_settings *s = &rc->policy->s;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *after = NULL;
	int r;

	if (asprintf(&path, "%s.user", rc->proc_path) < 0)
		path = NULL;
	before = json_fmt("{\"uid\":%u,\"gid\":%u}", u->uid, u->gid);
	after = json_fmt("{\"uid\":%u,\"gid\":%u}", s->user.uid, s->user.gid);
	if (!path || !before || !after)
		return rule_oom(rc);
	r = rule_rewrite(rc, RULE_USER, path, before, after,
			 "no process may run as host root; running it as uid %u", s->user.uid);
	if (r <= 0)
		return r;
	u->uid = s->user.uid;
	u->gid = s->user.gid;
	/* Root's supplementary group would keep root-group file access. */
	for (size_t i = 0; i < u->additional_gids.len;)
		if (u->additional_gids.items[i] == 0) {
			memmove(&u->additional_gids.items[i], &u->additional_gids.items[i + 1],
				(u->additional_gids.len - i - 1) * sizeof(uint32_t));
			u->additional_gids.len--;
		} else {
			i++;
		}
	return 0;
}

static int add_mappings(struct cinch_id_mappings *m, uint32_t base, uint32_t count)
{
	struct cinch_id_mapping *it = calloc(1, sizeof(*it));
	if (!it)
		return -ENOMEM;
	*it = (struct cinch_id_mapping){.container_id = 0, .host_id = base, .size = count};
	free(m->items);
	m->items = it;
	m->len = 1;
	m->present = true;
	return 0;
}

static bool is_bind(const struct cinch_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; i < m->options.len; i++)
		if (strcmp(m->options.items[i], "bind") == 0 ||
		    strcmp(m->options.items[i], "rbind") == 0)
			return true;
	return false;
}

static int add_userns(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_spec *spec = rc->spec;
	_cleanup_free_ char *after = NULL;
	_cleanup_free_ char *idmap = NULL;
	int r;

	after = json_fmt("{\"type\":\"user\"} with uid/gid 0 -> %u (%u ids)", s->user.host_id_base,
			 s->user.host_id_count);
	if (!after)
		return rule_oom(rc);
	r = rule_rewrite(rc, RULE_USER, ".linux.namespaces", "no user namespace", after,
			 "container root must not be host root; mapping it to an unprivileged "
			 "range (rootfs and bind mounts are idmapped)");
	if (r <= 0)
		return r;
	r = rule_add_namespace(rc, CINCH_NS_USER);
	if (r < 0)
		return r;
	if (add_mappings(&spec->linux_->uid_mappings, s->user.host_id_base, s->user.host_id_count) <
		0 ||
	    add_mappings(&spec->linux_->gid_mappings, s->user.host_id_base, s->user.host_id_count) <
		0)
		return rule_oom(rc);
	for (size_t i = 0; i < spec->mounts.len; i++) {
		struct cinch_mount *m = &spec->mounts.items[i];
		if (!is_bind(m) || m->uid_mappings.present)
			continue;
		if (add_mappings(&m->uid_mappings, s->user.host_id_base, s->user.host_id_count) <
			0 ||
		    add_mappings(&m->gid_mappings, s->user.host_id_base, s->user.host_id_count) < 0)
			return rule_oom(rc);
	}
	idmap = json_fmt("%u:%u", s->user.host_id_base, s->user.host_id_count);
	if (!idmap ||
	    cinch_map_set(&spec->annotations, CINCH_ANNOTATION_IDMAP_ROOTFS, idmap, rc->err) < 0)
		return rule_oom(rc);
	return 0;
}

int policy_rule_user(struct rule_ctx *rc)
{
	const struct policy_settings *s = &rc->policy->s;
	struct cinch_process *p = rc->process;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;

	if (!p || !is_host_root(rc, p->user.uid))
		return 0;
	switch (s->user.strategy) {
	case USER_STRATEGY_UID:
		return set_user(rc, &p->user);
	case USER_STRATEGY_USERNS:
		/* An exec joins the container's user namespace: if uid 0 there is
		 * host root, the container itself was not given one. */
		if (!rc->exec && !cinch_spec_find_namespace(rc->spec, CINCH_NS_USER))
			return add_userns(rc);
		break;
	case USER_STRATEGY_REFUSE:
	default:
		break;
	}
	if (asprintf(&path, "%s.user.uid", rc->proc_path) < 0)
		path = NULL;
	before = json_fmt("%u", p->user.uid);
	if (!path || !before)
		return rule_oom(rc);
	return rule_refuse(rc, RULE_USER, path, before,
			   "uid %u is host root; no process may run as host root", p->user.uid);
}
