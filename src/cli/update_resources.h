/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `update` pieces that need no container: runc's individual flags turned
 * into a LinuxResources object (sizes as runc accepts them), the clean-up of
 * what update never applies, and the merge of an update into the stored
 * resources. Separate from update.c so that unit tests can reach them.
 */
#ifndef CINCH_CLI_UPDATE_RESOURCES_H
#define CINCH_CLI_UPDATE_RESOURCES_H

#include <stdint.h>

#include "cinch/spec.h"
#include "cli.h"

/* getopt_long values of update's flags (>= 2000, below: none). */
enum cli_update_flag {
	UPD_RESOURCES = 2000,
	UPD_BLKIO_WEIGHT,
	UPD_CPU_PERIOD,
	UPD_CPU_QUOTA,
	UPD_CPU_BURST,
	UPD_CPU_SHARE,
	UPD_CPU_RT_PERIOD,
	UPD_CPU_RT_RUNTIME,
	UPD_CPUSET_CPUS,
	UPD_CPUSET_MEMS,
	UPD_CPU_IDLE,
	UPD_KERNEL_MEMORY,
	UPD_KERNEL_MEMORY_TCP,
	UPD_MEMORY,
	UPD_MEMORY_RESERVATION,
	UPD_MEMORY_SWAP,
	UPD_PIDS_LIMIT,
	UPD_L3_CACHE_SCHEMA,
	UPD_MEM_BW_SCHEMA,
};

/*
 * A size as runc's update takes it (go-units RAMInBytes): "-1" for no
 * limit, or a decimal number, optional space, optional unit k/m/g/t/p
 * (binary multiples, any case), optional "i", optional "b": 1024, 10m,
 * 1.5G, "512 KiB". `flag` names the flag in the error.
 */
int cli_update_parse_size(const char *flag, const char *text, int64_t *ret,
			  struct cinch_error *err);

/*
 * Sets the field of `res` that update flag `opt` (enum cli_update_flag)
 * stands for, from its argument. --kernel-memory(-tcp) is accepted and
 * ignored as runc does; --l3-cache-schema and --mem-bw-schema fail (cinch
 * has no Intel RDT support). Returns 0, or < 0 with a one-line error.
 */
int cli_update_set_flag(struct cinch_resources *res, int opt, const char *arg,
			struct cinch_error *err);

/*
 * Drops what update never applies, from flags or from --resources: device
 * rules (runc ignores them; CRI's deny-all would cut /dev/null), kernel
 * memory (ignored, warned by the caller when *ret_kernel), and a pids limit
 * of 0 (Docker's "unchanged").
 */
void cli_update_sanitize(struct cinch_resources *res, bool *ret_kernel);

/* Fills the half of cpu quota/period an update leaves out from the stored
 * resources, as runc does (the kernel needs both on cgroup v2). */
void cli_update_complete_cpu(struct cinch_resources *res, const struct cinch_resources *stored);

/*
 * Merges an applied update into the container's stored resources (what
 * config.effective.json keeps): every field set to a value other than 0
 * replaces the stored one ("unchanged" is 0 or absent), a pids limit too,
 * unified keys are set, per-device and per-page-size entries are replaced
 * or added.
 */
int cli_update_merge(struct cinch_resources *stored, const struct cinch_resources *update,
		     struct cinch_error *err);

#endif
