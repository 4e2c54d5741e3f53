/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `update`'s flags as a LinuxResources object, what update leaves out, and
 * the merge of an update into the stored resources (update_resources.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "update_resources.h"

int cli_update_parse_size(const char *flag, const char *text, int64_t *ret, struct cinch_error *err)
{
	static const char units[] = "kmgtp";
	const char *p = text;
	double mult = 1, v;
	char *end;

	if (strcmp(text, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	/* digits, then at most one fraction (strtod alone would take "1e3",
	 * "inf" or a sign) */
	if (!isdigit((unsigned char)*p))
		goto bad;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	v = strtod(text, &end);
	if (end != p)
		goto bad;
	if (*p == ' ')
		p++;
	if (*p && strchr(units, tolower((unsigned char)*p))) {
		for (const char *u = units; *u; u++) {
			mult *= 1024;
			if (*u == tolower((unsigned char)*p))
				break;
		}
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		goto bad;
	v *= mult;
	if (!isfinite(v) || v >= 9223372036854775807.0)
		goto bad;
	*ret = (int64_t)v;
	return 0;
bad:
	return cinch_error_set(err, EINVAL, "invalid value for %s: invalid size: '%s'", flag, text);
}

static int parse_u64(const char *flag, const char *text, uint64_t *ret, struct cinch_error *err)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)text[0]))
		errno = EINVAL;
	else
		*ret = strtoull(text, &end, 10);
	if (errno || *end)
		return cinch_error_set(
		    err, EINVAL, "invalid value for %s: %s is not an unsigned integer", flag, text);
	return 0;
}

static int parse_i64(const char *flag, const char *text, int64_t *ret, struct cinch_error *err)
{
	char *end;

	errno = 0;
	*ret = strtoll(text, &end, 10);
	if (errno || end == text || *end)
		return cinch_error_set(err, EINVAL, "invalid value for %s: %s is not an integer",
				       flag, text);
	return 0;
}

static void *ensure(void **obj, size_t size)
{
	if (!*obj)
		*obj = calloc(1, size);
	return *obj;
}

#define ENSURE(ptr) ensure((void **)&(ptr), sizeof(*(ptr)))

static int oom(struct cinch_error *err)
{
	return cinch_error_set(err, ENOMEM, "update: out of memory");
}

static int set_cpu(struct cinch_resources *res, int opt, const char *arg, struct cinch_error *err)
{
	struct cinch_cpu *c = ENSURE(res->cpu);
	int64_t i = 0;
	uint64_t u = 0;
	int r = 0;

	if (!c)
		return oom(err);
	switch (opt) {
	case UPD_CPU_PERIOD:
		r = parse_u64("cpu-period", arg, &u, err);
		c->period = (struct cinch_opt_u64){u, true};
		break;
	case UPD_CPU_QUOTA:
		r = parse_i64("cpu-quota", arg, &i, err);
		c->quota = (struct cinch_opt_i64){i, true};
		break;
	case UPD_CPU_BURST:
		r = parse_u64("cpu-burst", arg, &u, err);
		c->burst = (struct cinch_opt_u64){u, true};
		break;
	case UPD_CPU_SHARE:
		r = parse_u64("cpu-share", arg, &u, err);
		c->shares = (struct cinch_opt_u64){u, true};
		break;
	case UPD_CPU_RT_PERIOD:
		r = parse_u64("cpu-rt-period", arg, &u, err);
		c->realtime_period = (struct cinch_opt_u64){u, true};
		break;
	case UPD_CPU_RT_RUNTIME:
		r = parse_i64("cpu-rt-runtime", arg, &i, err);
		c->realtime_runtime = (struct cinch_opt_i64){i, true};
		break;
	case UPD_CPU_IDLE:
		r = parse_i64("cpu-idle", arg, &i, err);
		c->idle = (struct cinch_opt_i64){i, true};
		break;
	case UPD_CPUSET_CPUS:
	case UPD_CPUSET_MEMS: {
		char **dst = opt == UPD_CPUSET_CPUS ? &c->cpus : &c->mems;
		free(*dst);
		*dst = strdup(arg);
		if (!*dst)
			return oom(err);
		break;
	}
	default:
		return cinch_error_set(err, EINVAL, "update: unknown cpu flag");
	}
	return r;
}

static int set_memory(struct cinch_resources *res, int opt, const char *arg,
		      struct cinch_error *err)
{
	struct cinch_memory *m = ENSURE(res->memory);
	struct cinch_opt_i64 *dst;
	const char *flag;
	int64_t v = 0;
	int r;

	if (!m)
		return oom(err);
	switch (opt) {
	case UPD_MEMORY:
		dst = &m->limit, flag = "memory";
		break;
	case UPD_MEMORY_RESERVATION:
		dst = &m->reservation, flag = "memory-reservation";
		break;
	case UPD_MEMORY_SWAP:
		dst = &m->swap, flag = "memory-swap";
		break;
	case UPD_KERNEL_MEMORY:
		dst = &m->kernel, flag = "kernel-memory";
		break;
	case UPD_KERNEL_MEMORY_TCP:
		dst = &m->kernel_tcp, flag = "kernel-memory-tcp";
		break;
	default:
		return cinch_error_set(err, EINVAL, "update: unknown memory flag");
	}
	r = cli_update_parse_size(flag, arg, &v, err);
	if (r < 0)
		return r;
	*dst = (struct cinch_opt_i64){v, true};
	return 0;
}

int cli_update_set_flag(struct cinch_resources *res, int opt, const char *arg,
			struct cinch_error *err)
{
	int64_t v = 0;
	int r;

	switch (opt) {
	case UPD_BLKIO_WEIGHT: {
		struct cinch_block_io *b;
		r = parse_i64("blkio-weight", arg, &v, err);
		if (r < 0)
			return r;
		if (v < 0 || v > 65535)
			return cinch_error_set(
			    err, EINVAL, "invalid value for blkio-weight: %s is out of range", arg);
		if (v == 0)
			return 0; /* runc: 0 leaves it alone */
		b = ENSURE(res->block_io);
		if (!b)
			return oom(err);
		b->weight = (struct cinch_opt_u32){(uint32_t)v, true};
		return 0;
	}
	case UPD_PIDS_LIMIT: {
		struct cinch_pids *p;
		r = parse_i64("pids-limit", arg, &v, err);
		if (r < 0)
			return r;
		p = ENSURE(res->pids);
		if (!p)
			return oom(err);
		p->limit = (struct cinch_opt_i64){v, true};
		return 0;
	}
	case UPD_MEMORY:
	case UPD_MEMORY_RESERVATION:
	case UPD_MEMORY_SWAP:
	case UPD_KERNEL_MEMORY:
	case UPD_KERNEL_MEMORY_TCP:
		return set_memory(res, opt, arg, err);
	case UPD_L3_CACHE_SCHEMA:
		return cinch_error_set(err, EOPNOTSUPP,
				       "update --l3-cache-schema: Intel RDT is not supported by "
				       "cinch");
	case UPD_MEM_BW_SCHEMA:
		return cinch_error_set(
		    err, EOPNOTSUPP, "update --mem-bw-schema: Intel RDT is not supported by cinch");
	default:
		return set_cpu(res, opt, arg, err);
	}
}

void cli_update_sanitize(struct cinch_resources *res, bool *ret_kernel)
{
	*ret_kernel = false;
	for (size_t i = 0; i < res->devices.len; i++) {
		free(res->devices.items[i].type);
		free(res->devices.items[i].access);
	}
	free(res->devices.items);
	res->devices = (struct cinch_device_rules){0};
	if (res->memory) {
		*ret_kernel = res->memory->kernel.present || res->memory->kernel_tcp.present;
		res->memory->kernel = (struct cinch_opt_i64){0};
		res->memory->kernel_tcp = (struct cinch_opt_i64){0};
	}
	if (res->pids && (!res->pids->limit.present || res->pids->limit.value == 0)) {
		free(res->pids);
		res->pids = NULL;
	}
}

void cli_update_complete_cpu(struct cinch_resources *res, const struct cinch_resources *stored)
{
	const struct cinch_cpu *old = stored ? stored->cpu : NULL;
	struct cinch_cpu *c = res->cpu;
	bool quota = c && c->quota.present && c->quota.value != 0;
	bool period = c && c->period.present && c->period.value != 0;

	if (!old || quota == period)
		return;
	if (quota && old->period.present && old->period.value != 0)
		c->period = old->period;
	if (period && old->quota.present && old->quota.value != 0)
		c->quota = old->quota;
}

/* ---- merge ---- */

static void merge_i64(struct cinch_opt_i64 *dst, const struct cinch_opt_i64 *src)
{
	if (src->present && src->value != 0)
		*dst = *src;
}

static void merge_u64(struct cinch_opt_u64 *dst, const struct cinch_opt_u64 *src)
{
	if (src->present && src->value != 0)
		*dst = *src;
}

static int merge_str(char **dst, const char *src)
{
	if (!src || !src[0])
		return 0;
	free(*dst);
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

static int merge_throttle(struct cinch_throttle_devices *dst,
			  const struct cinch_throttle_devices *src)
{
	for (size_t i = 0; i < src->len; i++) {
		const struct cinch_throttle_device *d = &src->items[i];
		size_t j;
		for (j = 0; j < dst->len; j++)
			if (dst->items[j].major == d->major && dst->items[j].minor == d->minor)
				break;
		if (j == dst->len) {
			struct cinch_throttle_device *n =
			    realloc(dst->items, (dst->len + 1) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			dst->items = n;
			dst->len++;
		}
		dst->items[j] = *d;
		dst->present = true;
	}
	return 0;
}

static int merge_block_io(struct cinch_block_io *dst, const struct cinch_block_io *src)
{
	int r;

	if (src->weight.present && src->weight.value != 0)
		dst->weight = src->weight;
	if (src->leaf_weight.present && src->leaf_weight.value != 0)
		dst->leaf_weight = src->leaf_weight;
	for (size_t i = 0; i < src->weight_device.len; i++) {
		const struct cinch_weight_device *d = &src->weight_device.items[i];
		size_t j;
		for (j = 0; j < dst->weight_device.len; j++)
			if (dst->weight_device.items[j].major == d->major &&
			    dst->weight_device.items[j].minor == d->minor)
				break;
		if (j == dst->weight_device.len) {
			struct cinch_weight_device *n = realloc(
			    dst->weight_device.items, (dst->weight_device.len + 1) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			dst->weight_device.items = n;
			dst->weight_device.len++;
		}
		dst->weight_device.items[j] = *d;
		dst->weight_device.present = true;
	}
	if ((r = merge_throttle(&dst->throttle_read_bps, &src->throttle_read_bps)) < 0 ||
	    (r = merge_throttle(&dst->throttle_write_bps, &src->throttle_write_bps)) < 0 ||
	    (r = merge_throttle(&dst->throttle_read_iops, &src->throttle_read_iops)) < 0 ||
	    (r = merge_throttle(&dst->throttle_write_iops, &src->throttle_write_iops)) < 0)
		return r;
	return 0;
}

static int merge_hugepages(struct cinch_hugepage_limits *dst,
			   const struct cinch_hugepage_limits *src)
{
	for (size_t i = 0; i < src->len; i++) {
		const struct cinch_hugepage_limit *h = &src->items[i];
		size_t j;
		if (!h->page_size)
			continue;
		for (j = 0; j < dst->len; j++)
			if (dst->items[j].page_size &&
			    strcmp(dst->items[j].page_size, h->page_size) == 0)
				break;
		if (j == dst->len) {
			struct cinch_hugepage_limit *n =
			    realloc(dst->items, (dst->len + 1) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			dst->items = n;
			n[j] = (struct cinch_hugepage_limit){.page_size = strdup(h->page_size)};
			if (!n[j].page_size)
				return -ENOMEM;
			dst->len++;
		}
		dst->items[j].limit = h->limit;
		dst->present = true;
	}
	return 0;
}

static int merge_memory(struct cinch_memory *dst, const struct cinch_memory *src)
{
	merge_i64(&dst->limit, &src->limit);
	merge_i64(&dst->reservation, &src->reservation);
	merge_i64(&dst->swap, &src->swap);
	if (src->swappiness.present)
		dst->swappiness = src->swappiness;
	if (src->disable_oom_killer.present)
		dst->disable_oom_killer = src->disable_oom_killer;
	return 0;
}

static int merge_cpu(struct cinch_cpu *dst, const struct cinch_cpu *src)
{
	merge_u64(&dst->shares, &src->shares);
	merge_i64(&dst->quota, &src->quota);
	merge_u64(&dst->period, &src->period);
	if (src->burst.present)
		dst->burst = src->burst;
	merge_i64(&dst->realtime_runtime, &src->realtime_runtime);
	merge_u64(&dst->realtime_period, &src->realtime_period);
	if (src->idle.present)
		dst->idle = src->idle;
	if (merge_str(&dst->cpus, src->cpus) < 0 || merge_str(&dst->mems, src->mems) < 0)
		return -ENOMEM;
	return 0;
}

static bool block_io_unchanged(const struct cinch_block_io *b)
{
	return !(b->weight.present && b->weight.value) &&
	       !(b->leaf_weight.present && b->leaf_weight.value) && !b->weight_device.len &&
	       !b->throttle_read_bps.len && !b->throttle_write_bps.len &&
	       !b->throttle_read_iops.len && !b->throttle_write_iops.len;
}

int cli_update_merge(struct cinch_resources *stored, const struct cinch_resources *update,
		     struct cinch_error *err)
{
	int r = 0;

	if (update->memory) {
		if (!ENSURE(stored->memory))
			return oom(err);
		r = merge_memory(stored->memory, update->memory);
	}
	if (r >= 0 && update->cpu) {
		if (!ENSURE(stored->cpu))
			return oom(err);
		r = merge_cpu(stored->cpu, update->cpu);
	}
	if (r >= 0 && update->pids && update->pids->limit.present) {
		if (!ENSURE(stored->pids))
			return oom(err);
		stored->pids->limit = update->pids->limit;
	}
	if (r >= 0 && update->block_io && !block_io_unchanged(update->block_io)) {
		if (!ENSURE(stored->block_io))
			return oom(err);
		r = merge_block_io(stored->block_io, update->block_io);
	}
	if (r >= 0)
		r = merge_hugepages(&stored->hugepage_limits, &update->hugepage_limits);
	for (size_t i = 0; r >= 0 && i < update->unified.len; i++)
		r = cinch_map_set(&stored->unified, update->unified.items[i].key,
				  update->unified.items[i].value, err);
	if (r < 0)
		return r == -ENOMEM ? oom(err) : r;
	return 0;
}
