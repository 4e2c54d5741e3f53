/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seccomp BPF cache: compiling Docker's profile costs milliseconds per
 * container, loading the result costs microseconds. Entries live in a
 * directory the caller owns (e.g. <root>/.cache/seccomp), one file per
 * profile, named by the SHA-256 of a canonical serialization of everything
 * that shapes the program (see cinch_seccomp_cache_key()).
 *
 * File layout: a fixed header (magic, version, instruction count, the key,
 * the SHA-256 of the program) followed by the sock_filter array. A file
 * that fails any check (size, count, key, digest, owner, mode) is treated
 * as absent and replaced; the cache can make things faster, never wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cinch/fdio.h"
#include "cinch/cleanup.h"
#include "cinch/log.h"
#include "cinch/security.h"
#include "src/security/security-internal.h"

#define CACHE_MAGIC   "CINCHBPF"
#define CACHE_VERSION 1

struct cache_header {
	char magic[8];
	uint32_t version;
	uint32_t count; /* instructions */
	uint8_t key[32];
	uint8_t digest[32]; /* SHA-256 of the instructions */
};

/* ---- the key ------------------------------------------------------------- */

static void put_u64(struct security_sha256 *h, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	security_sha256_update(h, b, sizeof(b));
}

/* Length-prefixed, with NULL distinct from "", so no two different
 * profiles serialize to the same bytes. */
static void put_str(struct security_sha256 *h, const char *s)
{
	if (!s) {
		put_u64(h, UINT64_MAX);
		return;
	}
	put_u64(h, strlen(s));
	security_sha256_update(h, s, strlen(s));
}

static void put_strv(struct security_sha256 *h, const struct cinch_strv *v)
{
	put_u64(h, v->present);
	put_u64(h, v->len);
	for (size_t i = 0; i < v->len; i++)
		put_str(h, v->items[i]);
}

static void put_syscall(struct security_sha256 *h, const struct cinch_seccomp_syscall *sc)
{
	put_strv(h, &sc->names);
	put_str(h, sc->action);
	put_u64(h, sc->errno_ret.present);
	put_u64(h, sc->errno_ret.value);
	put_u64(h, sc->args.len);
	for (size_t j = 0; j < sc->args.len; j++) {
		const struct cinch_seccomp_arg *a = &sc->args.items[j];

		put_u64(h, a->index);
		put_u64(h, a->value);
		put_u64(h, a->value_two.present);
		put_u64(h, a->value_two.value);
		put_str(h, a->op);
	}
}

static void key_digest(const struct cinch_seccomp *p, uint8_t out[32])
{
	const struct scmp_version *v = seccomp_version();
	struct security_sha256 h;

	security_sha256_init(&h);
	/* What else changes the program for the same profile: the library,
	 * the actions the kernel supports (API level) and the native arch.
	 * flags and the listener do not reach the BPF, so they are left out. */
	/* v2: ENOSYS for newer syscalls; v3: binary-tree layout */
	put_str(&h, "cinch seccomp cache v3");
	put_u64(&h, v ? v->major : 0);
	put_u64(&h, v ? v->minor : 0);
	put_u64(&h, v ? v->micro : 0);
	put_u64(&h, seccomp_api_get());
	put_u64(&h, seccomp_arch_native());
	put_str(&h, p->default_action);
	put_u64(&h, p->default_errno_ret.present);
	put_u64(&h, p->default_errno_ret.value);
	put_strv(&h, &p->architectures);
	put_u64(&h, p->syscalls.len);
	for (size_t i = 0; i < p->syscalls.len; i++)
		put_syscall(&h, &p->syscalls.items[i]);
	security_sha256_final(&h, out);
}

static void hex(const uint8_t *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

int cinch_seccomp_cache_key(const struct cinch_seccomp *profile, char ret[CINCH_SECCOMP_KEY_LEN],
			    struct cinch_error *err)
{
	uint8_t key[32];

	key_digest(profile, key);
	hex(key, sizeof(key), ret);
	return 0;
}

/* ---- reading ------------------------------------------------------------- */

static int cache_read(int dirfd, const char *name, const uint8_t key[32],
		      struct cinch_seccomp_filter *f, struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ void *body = NULL;
	struct cache_header hdr;
	struct security_sha256 h;
	uint8_t digest[32];
	struct stat st;
	size_t body_len;
	int r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return cinch_error_errno(err, errno, "open %s", name);
	if (fstat(fd, &st) < 0)
		return cinch_error_errno(err, errno, "fstat %s", name);
	/* Only a file we wrote ourselves: a program from anyone else would be
	 * installed into containers unchecked. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return cinch_error_set(err, EPERM, "%s: not a private regular file", name);
	if ((size_t)st.st_size < sizeof(hdr))
		return cinch_error_set(err, EINVAL, "%s: truncated", name);
	body_len = (size_t)st.st_size - sizeof(hdr);
	r = security_seccomp_check_size(body_len, name, err);
	if (r < 0)
		return r;
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return cinch_error_set(err, EIO, "%s: short read", name);
	if (memcmp(hdr.magic, CACHE_MAGIC, sizeof(hdr.magic)) != 0 ||
	    hdr.version != CACHE_VERSION || memcmp(hdr.key, key, 32) != 0 ||
	    (size_t)hdr.count * sizeof(struct sock_filter) != body_len)
		return cinch_error_set(err, EINVAL, "%s: bad header", name);
	body = malloc(body_len);
	if (!body)
		return cinch_error_set(err, ENOMEM, "out of memory");
	if (pread(fd, body, body_len, sizeof(hdr)) != (ssize_t)body_len)
		return cinch_error_set(err, EIO, "%s: short read", name);
	security_sha256_init(&h);
	security_sha256_update(&h, body, body_len);
	security_sha256_final(&h, digest);
	if (memcmp(digest, hdr.digest, sizeof(digest)) != 0)
		return cinch_error_set(err, EINVAL, "%s: checksum mismatch", name);
	f->bpf = steal_pointer(&body);
	f->bpf_len = hdr.count;
	return 0;
}

/* ---- writing ------------------------------------------------------------- */

/* mkdir -p with 0700 for what we create; existing components are kept. */
static int open_cache_dir(const char *dir, struct cinch_error *err)
{
	_cleanup_free_ char *copy = strdup(dir);
	int fd;

	if (!copy)
		return cinch_error_set(err, ENOMEM, "out of memory");
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			return cinch_error_errno(err, errno, "mkdir %s", copy);
		*p = '/';
	}
	if (mkdir(copy, 0700) < 0 && errno != EEXIST)
		return cinch_error_errno(err, errno, "mkdir %s", copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return cinch_error_errno(err, errno, "open %s", dir);
	return fd;
}

/* Temp file + rename, so a reader sees the old entry, no entry, or the new
 * one, never half of one. */
static int cache_write(int dirfd, const char *name, const uint8_t key[32],
		       const struct cinch_seccomp_filter *f, struct cinch_error *err)
{
	size_t body_len = f->bpf_len * sizeof(struct sock_filter);
	struct cache_header hdr = {.version = CACHE_VERSION, .count = (uint32_t)f->bpf_len};
	struct security_sha256 h;
	_cleanup_close_ int fd = -1;
	uint64_t nonce = 0;
	char tmp[128];
	int r;

	memcpy(hdr.magic, CACHE_MAGIC, sizeof(hdr.magic));
	memcpy(hdr.key, key, 32);
	security_sha256_init(&h);
	security_sha256_update(&h, f->bpf, body_len);
	security_sha256_final(&h, hdr.digest);
	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) < 0)
		nonce = (uint64_t)getpid();
	snprintf(tmp, sizeof(tmp), ".%s.%016llx.tmp", name, (unsigned long long)nonce);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return cinch_error_errno(err, errno, "create %s", tmp);
	r = cinch_write_all(fd, &hdr, sizeof(hdr));
	if (r >= 0)
		r = cinch_write_all(fd, f->bpf, body_len);
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return cinch_error_errno(err, -r, "writing %s", name);
	}
	return 0;
}

int cinch_seccomp_compile_cached(const struct cinch_seccomp *profile, const char *cache_dir,
				 struct cinch_seccomp_filter *ret, struct cinch_error *err)
{
	struct cinch_seccomp_filter f = {0};
	struct cinch_error cache_err = {0};
	_cleanup_close_ int dirfd = -1;
	char name[2 * 32 + 8];
	uint8_t key[32];
	int r;

	/* Profile errors (bad flag or action) must not hide behind a hit. */
	r = security_seccomp_filter_meta(profile, &f, err);
	if (r < 0)
		return r;
	key_digest(profile, key);
	hex(key, sizeof(key), name);
	strcat(name, ".bpf");

	dirfd = open_cache_dir(cache_dir, &cache_err);
	if (dirfd >= 0 && cache_read(dirfd, name, key, &f, &cache_err) >= 0) {
		*ret = f;
		return 1;
	}
	if (cache_err.code != 0 && cache_err.code != ENOENT)
		log_debug("seccomp cache %s: %s", cache_dir, cache_err.msg);

	r = cinch_seccomp_compile(profile, &f, err);
	if (r < 0)
		return r;
	cinch_error_clear(&cache_err);
	if (dirfd >= 0 && cache_write(dirfd, name, key, &f, &cache_err) < 0)
		log_debug("seccomp cache %s: %s", cache_dir, cache_err.msg);
	*ret = f;
	return 0;
}
