/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rules about what runs and how it is scheduled:
 *  - hooks: prestart/createRuntime/poststart/poststop hooks run as root in
 *    the host's namespaces, so every hook path must be on rules.hooks.allow.
 *    Docker's networking hook is the exception that must keep working: its
 *    path is /proc/<dockerd pid>/exe with args[0] "libnetwork-setkey". It is
 *    accepted when args[0] is on engineArgs0 and the caller reports (through
 *    proc_exe_target) that /proc/<pid>/exe points to a binary on engineExe.
 *  - personality: only LINUX and LINUX32, without flags.
 *  - scheduler / ioPriority: no real-time classes (a container could starve
 *    the host).
 *  - oomScoreAdj: negative values are noted (kubelet uses them for pods).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

/* "/proc/<digits>/exe" -> pid, else -1. */
static int proc_exe_pid(const char *path)
{
	const char *p;
	long pid = 0;

	if (strncmp(path, "/proc/", 6) != 0)
		return -1;
	p = path + 6;
	if (*p < '1' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		pid = pid * 10 + (*p - '0');
		if (pid > 4194304)
			return -1;
	}
	return strcmp(p, "/exe") == 0 ? (int)pid : -1;
}

static int check_hook(struct rule_ctx *rc, enum cinch_hook_kind kind, size_t i,
		      const struct cinch_hook *h)
{
	const struct policy_settings *s = &rc->policy->s;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;
	_cleanup_free_ char *target = NULL;
	const char *kname = cinch_hook_kind_name(kind);
	int pid;

	if (h->path && pstrv_contains(&s->hooks.allow, h->path))
		return 0;
	path = json_fmt(".hooks.%s[%zu].path", kname, i);
	before = json_string(h->path);
	if (!path || !before)
		return rule_oom(rc);
	pid = h->path ? proc_exe_pid(h->path) : -1;
	if (pid > 0 && h->args.len > 0 &&
	    pstrv_contains(&s->hooks.engine_args0, h->args.items[0])) {
		int r;
		if (!rc->host->proc_exe_target)
			return rule_refuse(rc, RULE_HOOKS, path, before,
					   "%s hook %s (%s) cannot be verified here", kname,
					   h->path, h->args.items[0]);
		r = rc->host->proc_exe_target(pid, &target, rc->host->userdata);
		if (r < 0)
			return rule_refuse(rc, RULE_HOOKS, path, before,
					   "%s hook %s: cannot read where it points", kname,
					   h->path);
		if (pstrv_contains(&s->hooks.engine_exe, target))
			return rule_note(rc, RULE_HOOKS, path, "%s hook %s (%s) accepted: it is %s",
					 kname, h->path, h->args.items[0], target);
		return rule_refuse(rc, RULE_HOOKS, path, before,
				   "%s hook %s points to %s, which is not an allowed engine binary",
				   kname, h->path, target);
	}
	return rule_refuse(rc, RULE_HOOKS, path, before, "%s hook %s is not on the allowed list",
			   kname, h->path ? h->path : "(none)");
}

int policy_rule_hooks(struct rule_ctx *rc)
{
	const struct cinch_hooks *hooks = rc->spec->hooks;

	if (!hooks)
		return 0;
	for (int k = 0; k < CINCH_HOOK_KIND_COUNT; k++)
		for (size_t i = 0; i < hooks->lists[k].len; i++) {
			int r =
			    check_hook(rc, (enum cinch_hook_kind)k, i, &hooks->lists[k].items[i]);
			if (r < 0)
				return r;
		}
	return 0;
}

int policy_rule_personality(struct rule_ctx *rc)
{
	const struct cinch_personality *p = rc->spec->linux_ ? rc->spec->linux_->personality : NULL;
	_cleanup_free_ char *before = NULL;

	if (!p)
		return 0;
	if (p->domain && (strcmp(p->domain, "LINUX") == 0 || strcmp(p->domain, "LINUX32") == 0) &&
	    p->flags.len == 0)
		return 0;
	before = json_string(p->domain);
	if (!before)
		return rule_oom(rc);
	if (p->flags.len > 0)
		return rule_refuse(rc, RULE_PERSONALITY, ".linux.personality.flags", before,
				   "personality flags (%s ...) are not allowed", p->flags.items[0]);
	return rule_refuse(rc, RULE_PERSONALITY, ".linux.personality.domain", before,
			   "personality %s is not allowed (LINUX or LINUX32 only)",
			   p->domain ? p->domain : "(none)");
}

int policy_rule_scheduler(struct rule_ctx *rc)
{
	static const char *const realtime[] = {"SCHED_FIFO", "SCHED_RR", "SCHED_DEADLINE"};
	const struct cinch_scheduler *s = rc->process ? rc->process->scheduler : NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;

	if (!s || !s->policy)
		return 0;
	for (size_t i = 0; i < N_ELEMENTS(realtime); i++)
		if (strcmp(s->policy, realtime[i]) == 0) {
			path = json_fmt("%s.scheduler.policy", rc->proc_path);
			before = json_string(s->policy);
			if (!path || !before)
				return rule_oom(rc);
			return rule_refuse(rc, RULE_SCHEDULER, path, before,
					   "real-time scheduling (%s) could starve the host",
					   s->policy);
		}
	return 0;
}

int policy_rule_io_priority(struct rule_ctx *rc)
{
	const struct cinch_io_priority *io = rc->process ? rc->process->io_priority : NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *before = NULL;

	if (!io || !io->class_ || strcmp(io->class_, "IOPRIO_CLASS_RT") != 0)
		return 0;
	path = json_fmt("%s.ioPriority.class", rc->proc_path);
	before = json_string(io->class_);
	if (!path || !before)
		return rule_oom(rc);
	return rule_refuse(rc, RULE_IO_PRIORITY, path, before,
			   "real-time I/O priority could starve the host");
}

int policy_rule_oom_score_adj(struct rule_ctx *rc)
{
	const struct cinch_process *p = rc->process;
	_cleanup_free_ char *path = NULL;

	if (!p || !p->oom_score_adj.present || p->oom_score_adj.value >= 0)
		return 0;
	path = json_fmt("%s.oomScoreAdj", rc->proc_path);
	if (!path)
		return rule_oom(rc);
	return rule_note(rc, RULE_OOM_SCORE_ADJ, path,
			 "oomScoreAdj %lld protects this container from the OOM killer at the "
			 "expense of the host",
			 (long long)p->oom_score_adj.value);
}
