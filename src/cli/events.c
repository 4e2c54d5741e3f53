/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch events [--stats] [--interval D] ID`: runc's event stream, one JSON
 * object per line: {"type":"stats","id":ID,"data":{cpu,memory,pids,blkio,
 * hugetlb}} and {"type":"oom","id":ID}. --stats prints one stats event and
 * exits. Otherwise a stats event every interval (Go duration syntax,
 * default 5s) and an oom event each time the cgroup's OOM-kill counter
 * grows, until the container stops (exit 0) or a signal ends the command.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup_target.h"
#include "cinch/cleanup.h"
#include "cinch/container.h"
#include "cinch/log.h"
#include "cli.h"
#include "duration.h"

/* How often the OOM counter and the status are looked at between stats. */
#define POLL_NS (100 * 1000000LL)

static int print_stats(struct cinch_cgroup *cg, const char *id, struct cinch_error *err)
{
	_cleanup_free_ char *data = NULL;
	int r = cinch_cgroup_stats(cg, &data, err);

	if (r < 0)
		return r;
	/* ids are [A-Za-z0-9_+.-]: nothing to escape */
	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
	fflush(stdout);
	return 0;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool stopped(const struct cli_globals *g, const char *id)
{
	struct cinch_state *st = NULL;
	enum cinch_status status = CINCH_STATUS_STOPPED;
	struct cinch_error ignored = {0};

	/* A deleted container has stopped too. */
	if (cinch_container_status(g->root, id, &st, &status, &ignored) < 0)
		return true;
	cinch_state_free(st);
	return status == CINCH_STATUS_STOPPED;
}

static void report_ooms(struct cinch_cgroup *cg, const char *id, uint64_t *seen)
{
	struct cinch_error ignored = {0};
	uint64_t now = 0;

	if (cinch_cgroup_oom_kills(cg, &now, &ignored) < 0 || now <= *seen)
		return;
	for (; *seen < now; (*seen)++)
		printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
	fflush(stdout);
}

static int stream(const struct cli_globals *g, struct cli_target *t, int64_t interval)
{
	const char *id = t->state->id;
	struct cinch_error e = {0};
	uint64_t seen = 0;
	int64_t until_stats = interval;

	if (cinch_cgroup_oom_kills(t->cg, &seen, &e) < 0)
		seen = 0;
	for (;;) {
		int64_t step = until_stats < POLL_NS ? until_stats : POLL_NS;

		sleep_ns(step);
		until_stats -= step;
		report_ooms(t->cg, id, &seen);
		if (stopped(g, id))
			return 0;
		if (until_stats <= 0) {
			until_stats = interval;
			if (print_stats(t->cg, id, &e) < 0)
				log_error("events %s: %s", id, e.msg);
		}
	}
}

int cli_events(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option longopts[] = {
	    {"stats", no_argument, NULL, 's'},
	    {"interval", required_argument, NULL, 'i'},
	    {NULL, 0, NULL, 0},
	};
	int64_t interval = 5 * 1000000000LL;
	bool stats = false;
	struct cli_target t;
	int opt, r;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (opt == 's')
			stats = true;
		else if (opt == 'i') {
			r = cli_parse_duration(optarg, &interval, err);
			if (r < 0)
				return r;
		} else
			return cinch_error_set(err, EINVAL,
					       "events: unknown flag or missing value: %s",
					       argv[optind - 1]);
	}
	if (interval <= 0)
		return cinch_error_set(err, EINVAL, "duration interval must be greater than 0");
	r = cli_expect_operands(argc, argv, optind, 1, "events [--stats] [--interval D] ID", err);
	if (r < 0)
		return r;
	r = cli_target_open(g, argv[optind], false, &t, err);
	if (r < 0)
		return r;
	if (t.status == CINCH_STATUS_STOPPED)
		r = cinch_error_set(err, ESRCH, "container with id %s is not running", t.state->id);
	else if (stats)
		r = print_stats(t.cg, t.state->id, err);
	else
		r = stream(g, &t, interval);
	cli_target_release(&t);
	return r;
}
