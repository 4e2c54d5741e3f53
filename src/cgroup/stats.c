/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resource usage for `events --stats`, as the "data" object of runc's
 * stats event (cpu, memory, pids, blkio, hugetlb, with runc's key names),
 * read from v1 or v2 files; and the OOM-kill counter for `events`.
 * Missing files mean "not available here" and leave zeros, as runc does.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cinch/cleanup.h"
#include "src/cgroup/internal.h"

struct stats_ctx {
	struct cinch_cgroup *cg;
	yajl_gen g;
};

static char *hier_dir(struct cinch_cgroup *cg, enum cg_kind kind, const char *ctrl)
{
	struct cg_hier *h = cg_find_hier(cg, kind, ctrl);
	struct cinch_error e;
	char *dir = NULL;

	if (!h || !h->path || cg_hier_dir(h, h->path, &dir, &e) < 0)
		return NULL;
	return dir;
}

/* The directory holding controller ctrl's files for this container. */
static char *ctrl_dir(struct cinch_cgroup *cg, const char *ctrl)
{
	if (cg->backend == CINCH_CGROUP_V1) {
		char *d = hier_dir(cg, CG_HIER_V1, ctrl);
		if (d || strcmp(ctrl, "hugetlb") != 0)
			return d;
	}
	return hier_dir(cg, CG_HIER_UNIFIED, NULL);
}

static uint64_t read_u64(const char *dir, const char *file)
{
	_cleanup_free_ char *buf = NULL;

	if (!dir || cg_read(dir, file, &buf) < 0)
		return 0;
	if (strncmp(buf, "max", 3) == 0)
		return UINT64_MAX;
	return strtoull(buf, NULL, 10);
}

static uint64_t keyed(const char *dir, const char *file, const char *key)
{
	_cleanup_free_ char *buf = NULL;
	size_t n = strlen(key);

	if (!dir || cg_read(dir, file, &buf) < 0)
		return 0;
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	return 0;
}

static void key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void kv_u64(yajl_gen g, const char *k, uint64_t v)
{
	char num[24];

	key(g, k);
	snprintf(num, sizeof(num), "%" PRIu64, v);
	yajl_gen_number(g, num, strlen(num));
}

static void u64_array_from(yajl_gen g, const char *k, const char *dir, const char *file)
{
	_cleanup_free_ char *buf = NULL;
	char *save = NULL;

	if (!dir || cg_read(dir, file, &buf) < 0)
		return;
	key(g, k);
	yajl_gen_array_open(g);
	for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		yajl_gen_number(g, t, strlen(t));
	yajl_gen_array_close(g);
}

static void gen_cpu(struct stats_ctx *c)
{
	_cleanup_free_ char *cpu = ctrl_dir(c->cg, "cpu"), *acct = ctrl_dir(c->cg, "cpuacct");
	yajl_gen g = c->g;

	key(g, "cpu");
	yajl_gen_map_open(g);
	key(g, "usage");
	yajl_gen_map_open(g);
	if (c->cg->backend == CINCH_CGROUP_V1) {
		/* cpuacct.stat is in USER_HZ (100 per second) ticks */
		kv_u64(g, "total", read_u64(acct, "cpuacct.usage"));
		u64_array_from(g, "percpu", acct, "cpuacct.usage_percpu");
		u64_array_from(g, "percpu_kernel", acct, "cpuacct.usage_percpu_sys");
		u64_array_from(g, "percpu_user", acct, "cpuacct.usage_percpu_user");
		kv_u64(g, "kernel", keyed(acct, "cpuacct.stat", "system") * 10000000);
		kv_u64(g, "user", keyed(acct, "cpuacct.stat", "user") * 10000000);
	} else {
		kv_u64(g, "total", keyed(cpu, "cpu.stat", "usage_usec") * 1000);
		kv_u64(g, "kernel", keyed(cpu, "cpu.stat", "system_usec") * 1000);
		kv_u64(g, "user", keyed(cpu, "cpu.stat", "user_usec") * 1000);
	}
	yajl_gen_map_close(g);
	key(g, "throttling");
	yajl_gen_map_open(g);
	kv_u64(g, "periods", keyed(cpu, "cpu.stat", "nr_periods"));
	kv_u64(g, "throttled_periods", keyed(cpu, "cpu.stat", "nr_throttled"));
	kv_u64(g, "throttled_time",
	       c->cg->backend == CINCH_CGROUP_V1 ? keyed(cpu, "cpu.stat", "throttled_time")
						 : keyed(cpu, "cpu.stat", "throttled_usec") * 1000);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

static void mem_entry(yajl_gen g, const char *k, uint64_t limit, uint64_t usage, uint64_t max,
		      uint64_t failcnt)
{
	key(g, k);
	yajl_gen_map_open(g);
	kv_u64(g, "limit", limit);
	kv_u64(g, "usage", usage);
	kv_u64(g, "max", max);
	kv_u64(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

static void v1_mem_entry(yajl_gen g, const char *k, const char *dir, const char *prefix)
{
	char f[4][96];

	snprintf(f[0], sizeof(f[0]), "%s.limit_in_bytes", prefix);
	snprintf(f[1], sizeof(f[1]), "%s.usage_in_bytes", prefix);
	snprintf(f[2], sizeof(f[2]), "%s.max_usage_in_bytes", prefix);
	snprintf(f[3], sizeof(f[3]), "%s.failcnt", prefix);
	mem_entry(g, k, read_u64(dir, f[0]), read_u64(dir, f[1]), read_u64(dir, f[2]),
		  read_u64(dir, f[3]));
}

static void gen_memory(struct stats_ctx *c)
{
	_cleanup_free_ char *dir = ctrl_dir(c->cg, "memory"), *raw = NULL;
	bool v1 = c->cg->backend == CINCH_CGROUP_V1;
	yajl_gen g = c->g;
	char *save = NULL;

	key(g, "memory");
	yajl_gen_map_open(g);
	kv_u64(g, "cache", keyed(dir, "memory.stat", v1 ? "cache" : "file"));
	if (v1) {
		v1_mem_entry(g, "usage", dir, "memory");
		v1_mem_entry(g, "swap", dir, "memory.memsw");
		v1_mem_entry(g, "kernel", dir, "memory.kmem");
		v1_mem_entry(g, "kernelTCP", dir, "memory.kmem.tcp");
	} else {
		uint64_t cur = read_u64(dir, "memory.current"), lim = read_u64(dir, "memory.max");
		uint64_t swap = read_u64(dir, "memory.swap.current");
		uint64_t slim = read_u64(dir, "memory.swap.max");

		mem_entry(g, "usage", lim, cur, read_u64(dir, "memory.peak"),
			  keyed(dir, "memory.events", "max"));
		/* runc reports v2 swap as memory+swap, like v1's memsw */
		mem_entry(g, "swap",
			  (lim == UINT64_MAX || slim == UINT64_MAX) ? UINT64_MAX : lim + slim,
			  cur + swap, 0, keyed(dir, "memory.swap.events", "max"));
	}
	if (dir && cg_read(dir, "memory.stat", &raw) >= 0) {
		key(g, "raw");
		yajl_gen_map_open(g);
		for (char *line = strtok_r(raw, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *sp = strchr(line, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			key(g, line);
			yajl_gen_number(g, sp + 1, strlen(sp + 1));
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

static void gen_pids(struct stats_ctx *c)
{
	_cleanup_free_ char *dir = ctrl_dir(c->cg, "pids");
	uint64_t limit = read_u64(dir, "pids.max");

	key(c->g, "pids");
	yajl_gen_map_open(c->g);
	kv_u64(c->g, "current", read_u64(dir, "pids.current"));
	kv_u64(c->g, "limit", limit == UINT64_MAX ? 0 : limit);
	yajl_gen_map_close(c->g);
}

static void blk_entry(yajl_gen g, unsigned maj, unsigned min, const char *op, const char *val)
{
	yajl_gen_map_open(g);
	kv_u64(g, "major", maj);
	kv_u64(g, "minor", min);
	key(g, "op");
	yajl_gen_string(g, (const unsigned char *)op, strlen(op));
	key(g, "value");
	yajl_gen_number(g, val, strlen(val));
	yajl_gen_map_close(g);
}

/* v1 "8:0 Read 4096" lines */
static void v1_blk_list(yajl_gen g, const char *k, const char *dir, const char *file)
{
	_cleanup_free_ char *buf = NULL;
	char *save = NULL;

	if (!dir || cg_read(dir, file, &buf) < 0)
		return;
	key(g, k);
	yajl_gen_array_open(g);
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[16], val[24];

		if (sscanf(l, "%u:%u %15s %23s", &maj, &min, op, val) == 4)
			blk_entry(g, maj, min, op, val);
	}
	yajl_gen_array_close(g);
}

/* v2 io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." */
static void v2_blk_list(yajl_gen g, const char *k, const char *dir, const char *rkey,
			const char *wkey)
{
	_cleanup_free_ char *buf = NULL;
	char *save = NULL;

	if (!dir || cg_read(dir, "io.stat", &buf) < 0)
		return;
	key(g, k);
	yajl_gen_array_open(g);
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char *r = strstr(l, rkey), *w = strstr(l, wkey);
		char rv[24] = "0", wv[24] = "0";

		if (sscanf(l, "%u:%u", &maj, &min) != 2)
			continue;
		if (r)
			sscanf(r + strlen(rkey), "%23[0-9]", rv);
		if (w)
			sscanf(w + strlen(wkey), "%23[0-9]", wv);
		blk_entry(g, maj, min, "Read", rv);
		blk_entry(g, maj, min, "Write", wv);
	}
	yajl_gen_array_close(g);
}

static void gen_blkio(struct stats_ctx *c)
{
	_cleanup_free_ char *dir =
	    ctrl_dir(c->cg, c->cg->backend == CINCH_CGROUP_V1 ? "blkio" : "io");
	yajl_gen g = c->g;

	key(g, "blkio");
	yajl_gen_map_open(g);
	if (c->cg->backend == CINCH_CGROUP_V1) {
		v1_blk_list(g, "ioServiceBytesRecursive", dir,
			    "blkio.throttle.io_service_bytes_recursive");
		v1_blk_list(g, "ioServicedRecursive", dir, "blkio.throttle.io_serviced_recursive");
	} else {
		v2_blk_list(g, "ioServiceBytesRecursive", dir, "rbytes=", "wbytes=");
		v2_blk_list(g, "ioServicedRecursive", dir, "rios=", "wios=");
	}
	yajl_gen_map_close(g);
}

static void gen_hugetlb(struct stats_ctx *c)
{
	_cleanup_free_ char *dir = ctrl_dir(c->cg, "hugetlb");
	bool v1 = c->cg->backend == CINCH_CGROUP_V1 && cg_find_hier(c->cg, CG_HIER_V1, "hugetlb");
	const char *suffix = v1 ? ".usage_in_bytes" : ".current";
	_cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;
	yajl_gen g = c->g;

	key(g, "hugetlb");
	yajl_gen_map_open(g);
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name), sl = strlen(suffix);
		char size[64], f[128];

		if (strncmp(de->d_name, "hugetlb.", 8) != 0 || n <= 8 + sl ||
		    strcmp(de->d_name + n - sl, suffix) != 0 || n - 8 - sl >= sizeof(size) ||
		    strstr(de->d_name, ".rsvd."))
			continue;
		snprintf(size, sizeof(size), "%.*s", (int)(n - 8 - sl), de->d_name + 8);
		key(g, size);
		yajl_gen_map_open(g);
		kv_u64(g, "usage", read_u64(dir, de->d_name));
		if (v1) {
			snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", size);
			kv_u64(g, "max", read_u64(dir, f));
			snprintf(f, sizeof(f), "hugetlb.%s.failcnt", size);
			kv_u64(g, "failcnt", read_u64(dir, f));
		} else {
			snprintf(f, sizeof(f), "hugetlb.%s.events", size);
			kv_u64(g, "failcnt", keyed(dir, f, "max"));
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);
}

int cinch_cgroup_stats(struct cinch_cgroup *cg, char **ret, struct cinch_error *err)
{
	struct stats_ctx c = {.cg = cg, .g = yajl_gen_alloc(NULL)};
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	if (!c.g)
		return cinch_error_errno(err, ENOMEM, "cgroup stats");
	yajl_gen_map_open(c.g);
	gen_cpu(&c);
	gen_memory(&c);
	gen_pids(&c);
	gen_blkio(&c);
	gen_hugetlb(&c);
	yajl_gen_map_close(c.g);
	if (yajl_gen_get_buf(c.g, &buf, &len) == yajl_gen_status_ok)
		out = strndup((const char *)buf, len);
	yajl_gen_free(c.g);
	if (!out)
		return cinch_error_errno(err, ENOMEM, "cgroup stats");
	*ret = out;
	return 0;
}

int cinch_cgroup_oom_kills(struct cinch_cgroup *cg, uint64_t *ret, struct cinch_error *err)
{
	_cleanup_free_ char *dir = ctrl_dir(cg, "memory");
	const char *file = cg->backend == CINCH_CGROUP_V1 ? "memory.oom_control" : "memory.events";

	if (!dir || !cg_exists(dir, file))
		return cinch_error_set(err, ENOENT, "cgroup %s: %s is not available for %s",
				       cg_backend_label(cg->backend), file, cg->id);
	*ret = keyed(dir, file, "oom_kill");
	return 0;
}
