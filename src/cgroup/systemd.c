/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd backend's D-Bus side: a transient scope started with
 * StartTransientUnit (Slice, Delegate=yes, PIDs=[pid], resource
 * properties), waiting for its job through the JobRemoved signal, property
 * updates with SetUnitProperties, and StopUnit. Because a scope must be
 * given its first process when it is started, the unit is started by
 * cinch_cgroup_enter(), not by create(); everything systemd cannot express
 * is then written to the scope's v2 files (see cgroup.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

#define SD_DEST	 "org.freedesktop.systemd1"
#define SD_PATH	 "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"

bool cg_systemd_running(void)
{
	/* sd_booted(): systemd as PID 1 creates this directory. */
	return access("/run/systemd/system", F_OK) == 0;
}

struct job_wait {
	const char *job; /* object path of our job, once known */
	char result[64];
	bool done;
	/* JobRemoved signals for other jobs can arrive before ours is known */
	char seen_job[8][256];
	char seen_result[8][64];
	unsigned n_seen;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct job_wait *w = userdata;
	const char *path, *unit, *result;
	uint32_t id;

	(void)ret_error;
	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->job && strcmp(path, w->job) == 0) {
		snprintf(w->result, sizeof(w->result), "%s", result);
		w->done = true;
	} else if (!w->job && w->n_seen < N_ELEMENTS(w->seen_job)) {
		snprintf(w->seen_job[w->n_seen], sizeof(w->seen_job[0]), "%s", path);
		snprintf(w->seen_result[w->n_seen], sizeof(w->seen_result[0]), "%s", result);
		w->n_seen++;
	}
	return 0;
}

static int wait_job(sd_bus *bus, struct job_wait *w, const char *what, struct cinch_error *err)
{
	for (unsigned i = 0; i < w->n_seen; i++)
		if (strcmp(w->seen_job[i], w->job) == 0) {
			snprintf(w->result, sizeof(w->result), "%s", w->seen_result[i]);
			w->done = true;
		}
	for (unsigned ticks = 0; !w->done; ticks++) {
		int r = sd_bus_process(bus, NULL);

		if (r < 0)
			return cinch_error_errno(err, -r, "systemd: %s: waiting for the job", what);
		if (r > 0)
			continue;
		if (ticks > 60)
			return cinch_error_set(err, ETIMEDOUT,
					       "systemd: %s: job %s did not finish within 30 s",
					       what, w->job);
		r = sd_bus_wait(bus, 500000);
		if (r < 0)
			return cinch_error_errno(err, -r, "systemd: %s: waiting for the job", what);
	}
	if (strcmp(w->result, "done") != 0)
		return cinch_error_set(err, EIO, "systemd: %s: job %s ended with result \"%s\"",
				       what, w->job, w->result);
	return 0;
}

static uint64_t parse_u64_or_max(const char *v)
{
	return strncmp(v, "max", 3) == 0 ? UINT64_MAX : strtoull(v, NULL, 10);
}

/* "0-3,6" -> little-endian bitmask bytes, as AllowedCPUs= takes them. */
static int cpuset_mask(const char *list, uint8_t **ret, size_t *ret_len)
{
	_cleanup_free_ uint8_t *mask = NULL;
	size_t len = 0;
	const char *p = list;

	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			return -EINVAL;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || b < a)
				return -EINVAL;
		}
		if (b >= 8192)
			return -EINVAL;
		if (b / 8 + 1 > len) {
			uint8_t *nm = realloc(mask, b / 8 + 1);
			if (!nm)
				return -ENOMEM;
			memset(nm + len, 0, b / 8 + 1 - len);
			mask = nm;
			len = b / 8 + 1;
		}
		for (unsigned long c = a; c <= b; c++)
			mask[c / 8] |= (uint8_t)(1u << (c % 8));
		p = end;
		while (*p == ',' || *p == '\n' || *p == ' ')
			p++;
	}
	*ret = steal_pointer(&mask);
	*ret_len = len;
	return 0;
}

static int append_t(sd_bus_message *m, const char *name, uint64_t v)
{
	return sd_bus_message_append(m, "(sv)", name, "t", v);
}

/* Resource properties systemd understands, derived from the v2 plan. */
static int append_resource_props(sd_bus_message *m, const struct cg_plan *plan)
{
	const struct cg_write *w;
	int r = 0;

	if ((w = cg_plan_find(plan, "memory.max")))
		r = append_t(m, "MemoryMax", parse_u64_or_max(w->value));
	if (r >= 0 && (w = cg_plan_find(plan, "memory.low")))
		r = append_t(m, "MemoryLow", parse_u64_or_max(w->value));
	if (r >= 0 && (w = cg_plan_find(plan, "memory.swap.max")))
		r = append_t(m, "MemorySwapMax", parse_u64_or_max(w->value));
	if (r >= 0 && (w = cg_plan_find(plan, "pids.max")))
		r = append_t(m, "TasksMax", parse_u64_or_max(w->value));
	if (r >= 0 && (w = cg_plan_find(plan, "cpu.weight")))
		r = append_t(m, "CPUWeight", strtoull(w->value, NULL, 10));
	if (r >= 0 && (w = cg_plan_find(plan, "io.bfq.weight")) && w->alt_value &&
	    strncmp(w->alt_value, "default ", 8) == 0)
		r = append_t(m, "IOWeight", strtoull(w->alt_value + 8, NULL, 10));
	if (r >= 0 && (w = cg_plan_find(plan, "cpu.max"))) {
		uint64_t quota = parse_u64_or_max(w->value), period = 100000;
		const char *sp = strchr(w->value, ' ');

		if (sp)
			period = strtoull(sp + 1, NULL, 10);
		if (period == 0)
			period = 100000;
		r = append_t(m, "CPUQuotaPeriodUSec", period);
		if (r >= 0) {
			/* systemd keeps quota per second in 10 ms steps; round up.
			 * The exact cpu.max is written to the file afterwards. */
			uint64_t persec = UINT64_MAX;
			if (quota != UINT64_MAX) {
				persec = quota * 1000000 / period;
				persec = (persec + 9999) / 10000 * 10000;
			}
			r = append_t(m, "CPUQuotaPerSecUSec", persec);
		}
	}
	for (int i = 0; r >= 0 && i < 2; i++) {
		const char *file = i == 0 ? "cpuset.cpus" : "cpuset.mems";
		_cleanup_free_ uint8_t *mask = NULL;
		size_t len = 0;

		if (!(w = cg_plan_find(plan, file)))
			continue;
		r = cpuset_mask(w->value, &mask, &len);
		if (r < 0)
			return r;
		r = sd_bus_message_open_container(m, 'r', "sv");
		if (r >= 0)
			r = sd_bus_message_append(m, "s",
						  i == 0 ? "AllowedCPUs" : "AllowedMemoryNodes");
		if (r >= 0)
			r = sd_bus_message_open_container(m, 'v', "ay");
		if (r >= 0)
			r = sd_bus_message_append_array(m, 'y', mask, len);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r;
}

static int bus_error(struct cinch_error *err, int r, sd_bus_error *e, const char *what,
		     const char *unit)
{
	if (e && e->message)
		return cinch_error_set(err, -r, "systemd: %s %s: %s", what, unit, e->message);
	return cinch_error_errno(err, -r, "systemd: %s %s", what, unit);
}

/* StartUnit/StopUnit answer with a job object; wait until systemd says it
 * finished. */
static int wait_reply_job(sd_bus *bus, sd_bus_message *reply, struct job_wait *w, const char *unit,
			  struct cinch_error *err)
{
	const char *job = NULL;
	int r = sd_bus_message_read(reply, "o", &job);

	if (r < 0)
		return bus_error(err, r, NULL, "reading the job of", unit);
	w->job = job;
	return wait_job(bus, w, unit, err);
}

int cg_systemd_start(struct cinch_cgroup *cg, pid_t pid, const struct cg_plan *plan,
		     struct cinch_error *err)
{
	_cleanup_free_ char *desc = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_slot *slot = NULL;
	sd_bus *bus = NULL;
	struct job_wait w = {0};
	int r;

	if (asprintf(&desc, "cinch container %s", cg->id) < 0) {
		desc = NULL;
		return cinch_error_errno(err, ENOMEM, "systemd");
	}
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		cinch_error_errno(err, -r, "systemd: connecting to the system bus");
		goto out;
	}
	r = sd_bus_match_signal(bus, &slot, SD_DEST, SD_PATH, SD_IFACE, "JobRemoved",
				on_job_removed, &w);
	if (r < 0) {
		bus_error(err, r, NULL, "subscribing to JobRemoved for", cg->unit);
		goto out;
	}
	r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_IFACE,
					   "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", cg->unit, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice",
					  "s", cg->slice, "Delegate", "b", 1, "DefaultDependencies",
					  "b", 0);
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
	/* Accounting makes systemd enable the controllers along the path. */
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)", "MemoryAccounting", "b", 1,
					  "TasksAccounting", "b", 1, "CPUAccounting", "b", 1);
	if (r >= 0 && plan)
		r = append_resource_props(m, plan);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0) {
		bus_error(err, r, NULL, "building StartTransientUnit for", cg->unit);
		goto out;
	}
	r = sd_bus_call(bus, m, 0, &e, &reply);
	if (r < 0) {
		bus_error(err, r, &e, "starting", cg->unit);
		goto out;
	}
	r = wait_reply_job(bus, reply, &w, cg->unit, err);
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	sd_bus_slot_unref(slot);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? r : 0;
}

int cg_systemd_set_properties(struct cinch_cgroup *cg, const struct cg_plan *plan,
			      struct cinch_error *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	sd_bus *bus = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0) {
		cinch_error_errno(err, -r, "systemd: connecting to the system bus");
		goto out;
	}
	r = sd_bus_message_new_method_call(bus, &m, SD_DEST, SD_PATH, SD_IFACE,
					   "SetUnitProperties");
	if (r >= 0)
		r = sd_bus_message_append(m, "sb", cg->unit, 1);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = append_resource_props(m, plan);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r < 0) {
		bus_error(err, r, NULL, "building SetUnitProperties for", cg->unit);
		goto out;
	}
	r = sd_bus_call(bus, m, 0, &e, NULL);
	if (r < 0)
		bus_error(err, r, &e, "updating", cg->unit);
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? r : 0;
}

int cg_systemd_stop(struct cinch_cgroup *cg, struct cinch_error *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus_slot *slot = NULL;
	sd_bus *bus = NULL;
	struct job_wait w = {0};
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0) {
		cinch_error_errno(err, -r, "systemd: connecting to the system bus");
		goto out;
	}
	r = sd_bus_match_signal(bus, &slot, SD_DEST, SD_PATH, SD_IFACE, "JobRemoved",
				on_job_removed, &w);
	if (r >= 0)
		r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "StopUnit", &e, &reply,
				       "ss", cg->unit, "replace");
	if (r < 0) {
		if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
			r = 0; /* already gone: a scope ends when its last process does */
			goto out;
		}
		bus_error(err, r, &e, "stopping", cg->unit);
		goto out;
	}
	r = wait_reply_job(bus, reply, &w, cg->unit, err);
out:
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	sd_bus_slot_unref(slot);
	sd_bus_flush_close_unref(bus);
	return r < 0 ? r : 0;
}
