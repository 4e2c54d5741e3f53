/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared between the files of src/security/ and its unit tests;
 * not part of the module's interface (include/cinch/security.h is).
 */
#ifndef CINCH_SECURITY_INTERNAL_H
#define CINCH_SECURITY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cinch/error.h"
#include "cinch/security.h"
#include "cinch/spec.h"

/* caps_names.c: one OCI capability list -> mask; `set` names the JSON key. */
int security_caps_mask(const struct cinch_strv *list, const char *set, int last_cap, uint64_t *ret,
		       struct cinch_error *err);

/* seccomp_names.c */
int security_seccomp_action(const char *name, const struct cinch_opt_u32 *errno_ret,
			    const char *path, uint32_t *ret, struct cinch_error *err);
int security_seccomp_op(const char *name, int *ret);
int security_seccomp_arch(const char *name, uint32_t *ret);
int security_seccomp_flag(const char *name, unsigned *ret);

/* seccomp_compile.c */
int security_seccomp_flags(const struct cinch_seccomp *profile, unsigned *ret,
			   struct cinch_error *err);
int security_seccomp_filter_meta(const struct cinch_seccomp *profile,
				 struct cinch_seccomp_filter *f, struct cinch_error *err);
int security_seccomp_check_size(size_t bytes, const char *what, struct cinch_error *err);

/* sha256.c */
struct security_sha256 {
	uint32_t state[8];
	uint64_t total;
	uint8_t block[64];
	size_t fill;
};
void security_sha256_init(struct security_sha256 *s);
void security_sha256_update(struct security_sha256 *s, const void *data, size_t len);
void security_sha256_final(struct security_sha256 *s, uint8_t out[32]);
extern const uint32_t security_sha256_k[64];
/* Block functions, exposed so the unit tests compare them on the same input. */
void security_sha256_portable_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);
#ifdef __x86_64__
/* sha256_x86.c: the SHA-NI blocks, usable only where CPUID says so. */
bool security_sha256_x86_usable(void);
void security_sha256_x86_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);
#endif

/* procfs.c: a file under /proc (e.g. "thread-self/attr/exec") opened through a verified procfs
 * handle (a private instance when the kernel allows it), without following
 * magic links or crossing mounts, and checked to be procfs after opening. */
int security_procfs_open(const char *relpath, int flags, struct cinch_error *err);

#endif
