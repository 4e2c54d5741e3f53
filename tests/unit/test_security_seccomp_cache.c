/* SPDX-License-Identifier: Apache-2.0 */
/*
 * security: the seccomp BPF cache (a hit returns the very program a compile
 * gives, corrupted or foreign entries are rejected and rewritten, the key
 * follows what shapes the program), the SHA-256 behind the key, and the
 * compile vs cache-hit cost (printed, never asserted).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/security.h"
#include "cinch/spec.h"
#include "src/security/security-internal.h"
#include "tests/unit/test_security_helpers.h"

#define S(literal) ((char *)(literal))
/* struct cache_header in seccomp_cache.c: magic, version, count, key, digest. */
#define HEADER_SIZE 80

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/cinch-test-seccomp.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void remove_tree(char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
}

static void small_profile(struct cinch_seccomp *p, struct cinch_seccomp_syscall *rule, char **names)
{
	*rule = (struct cinch_seccomp_syscall){
	    .names = strv(names), .action = S("SCMP_ACT_ERRNO"), .errno_ret = ERRNO_RET(99)};
	*p = (struct cinch_seccomp){.default_action = S("SCMP_ACT_ALLOW"),
				    .syscalls = {.items = rule, .len = 1, .present = true}};
}

static void cache_path(const char *dir, const struct cinch_seccomp *p, char *out, size_t len)
{
	char key[CINCH_SECCOMP_KEY_LEN];
	struct cinch_error err = {0};

	assert_int_equal(cinch_seccomp_cache_key(p, key, &err), 0);
	snprintf(out, len, "%s/%s.bpf", dir, key);
}

static void assert_same_bpf(const struct cinch_seccomp_filter *a,
			    const struct cinch_seccomp_filter *b)
{
	assert_int_equal(a->bpf_len, b->bpf_len);
	assert_memory_equal(a->bpf, b->bpf, a->bpf_len * sizeof(struct sock_filter));
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->notify, b->notify);
}

/* Compiles through the cache; asserts hit (1) or miss (0) and the program. */
static void cached_expect(const struct cinch_seccomp *p, const char *dir, int want,
			  const struct cinch_seccomp_filter *direct)
{
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};
	int r = cinch_seccomp_compile_cached(p, dir, &f, &err);

	if (r != want)
		fail_msg("compile_cached returned %d, expected %d (%s)", r, want, err.msg);
	if (direct)
		assert_same_bpf(direct, &f);
	cinch_seccomp_filter_release(&f);
}

static void cache_hit_returns_identical_bpf(void **state)
{
	char *names[] = {S("getpid"), NULL};
	struct cinch_seccomp_filter direct = {0};
	struct cinch_seccomp_syscall rule;
	struct cinch_seccomp p;
	struct cinch_error err = {0};
	char *tmp = make_tmpdir(), dir[4096], file[4200];
	struct stat st;

	small_profile(&p, &rule, names);
	/* A cache dir that does not exist yet, two levels deep. */
	snprintf(dir, sizeof(dir), "%s/.cache/seccomp", tmp);
	assert_int_equal(cinch_seccomp_compile(&p, &direct, &err), 0);
	cached_expect(&p, dir, 0, &direct);
	cached_expect(&p, dir, 1, &direct);
	cache_path(dir, &p, file, sizeof(file));
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, HEADER_SIZE + 8 * (off_t)direct.bpf_len);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	cinch_seccomp_filter_release(&direct);
	remove_tree(tmp);
}

static void flip_byte(const char *file, off_t offset, int whence)
{
	int fd = open(file, O_RDWR);
	char c;

	assert_true(fd >= 0);
	assert_true(lseek(fd, offset, whence) >= 0);
	assert_int_equal(read(fd, &c, 1), 1);
	c ^= 0x5a;
	assert_true(lseek(fd, -1, SEEK_CUR) >= 0);
	assert_int_equal(write(fd, &c, 1), 1);
	close(fd);
}

static void cache_rejects_corrupted_entries(void **state)
{
	char *names[] = {S("getpid"), NULL};
	struct cinch_seccomp_filter direct = {0};
	struct cinch_seccomp_syscall rule;
	struct cinch_seccomp p;
	struct cinch_error err = {0};
	char *dir = make_tmpdir(), file[4200], junk[HEADER_SIZE + 8 * 4];
	int fd;

	small_profile(&p, &rule, names);
	assert_int_equal(cinch_seccomp_compile(&p, &direct, &err), 0);
	cached_expect(&p, dir, 0, &direct);
	cache_path(dir, &p, file, sizeof(file));

	/* A flipped bit in the program: digest mismatch, recompiled ... */
	flip_byte(file, -3, SEEK_END);
	cached_expect(&p, dir, 0, &direct);
	/* ... and the entry was rewritten: the next call hits. */
	cached_expect(&p, dir, 1, &direct);

	/* A flipped bit in the stored key. */
	flip_byte(file, 20, SEEK_SET);
	cached_expect(&p, dir, 0, &direct);

	/* Not a whole number of instructions. */
	assert_int_equal(truncate(file, HEADER_SIZE + 8 * (off_t)direct.bpf_len - 3), 0);
	cached_expect(&p, dir, 0, &direct);

	/* Only the header left: an empty program. */
	assert_int_equal(truncate(file, HEADER_SIZE), 0);
	cached_expect(&p, dir, 0, &direct);

	/* More instructions than the kernel takes. */
	assert_int_equal(truncate(file, HEADER_SIZE + 8 * (off_t)(BPF_MAXINSNS + 1)), 0);
	cached_expect(&p, dir, 0, &direct);

	/* Readable by others: not ours to trust. */
	assert_int_equal(chmod(file, 0644), 0);
	cached_expect(&p, dir, 0, &direct);
	cached_expect(&p, dir, 1, &direct);

	/* Garbage of a plausible size. */
	fd = open(file, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	memset(junk, 0x41, sizeof(junk));
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	cached_expect(&p, dir, 0, &direct);

	/* A symlink planted in its place is not followed. */
	assert_int_equal(unlink(file), 0);
	assert_int_equal(symlink("/etc/passwd", file), 0);
	cached_expect(&p, dir, 0, &direct);
	cached_expect(&p, dir, 1, &direct);

	cinch_seccomp_filter_release(&direct);
	remove_tree(dir);
}

static void cache_unusable_dir_still_compiles(void **state)
{
	char *names[] = {S("getpid"), NULL};
	struct cinch_seccomp_filter direct = {0};
	struct cinch_seccomp_syscall rule;
	struct cinch_seccomp p;
	struct cinch_error err = {0};
	char *dir = make_tmpdir(), blocker[4200];
	int fd;

	small_profile(&p, &rule, names);
	assert_int_equal(cinch_seccomp_compile(&p, &direct, &err), 0);
	/* A regular file where the cache dir should be. */
	snprintf(blocker, sizeof(blocker), "%s/cache", dir);
	fd = open(blocker, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	cached_expect(&p, blocker, 0, &direct);
	cached_expect(&p, blocker, 0, &direct);
	cinch_seccomp_filter_release(&direct);
	remove_tree(dir);
}

static void cache_key_tracks_what_shapes_the_bpf(void **state)
{
	char *names[] = {S("getpid"), NULL}, *flags[] = {S("SECCOMP_FILTER_FLAG_LOG"), NULL};
	char *arches[] = {S("SCMP_ARCH_X86"), NULL};
	char k1[CINCH_SECCOMP_KEY_LEN], k2[CINCH_SECCOMP_KEY_LEN];
	struct cinch_seccomp_syscall rule;
	struct cinch_seccomp p;
	struct cinch_error err = {0};

	small_profile(&p, &rule, names);
	assert_int_equal(cinch_seccomp_cache_key(&p, k1, &err), 0);
	assert_int_equal(strlen(k1), 64);
	assert_int_equal(cinch_seccomp_cache_key(&p, k2, &err), 0);
	assert_string_equal(k1, k2);
	/* flags go to seccomp(2), not into the program. */
	p.flags = strv(flags);
	assert_int_equal(cinch_seccomp_cache_key(&p, k2, &err), 0);
	assert_string_equal(k1, k2);
	rule.errno_ret.value = 98;
	assert_int_equal(cinch_seccomp_cache_key(&p, k2, &err), 0);
	assert_string_not_equal(k1, k2);
	rule.errno_ret.value = 99;
	p.architectures = strv(arches);
	assert_int_equal(cinch_seccomp_cache_key(&p, k2, &err), 0);
	assert_string_not_equal(k1, k2);
	p.architectures = (struct cinch_strv){0};
	p.default_action = S("SCMP_ACT_LOG");
	assert_int_equal(cinch_seccomp_cache_key(&p, k2, &err), 0);
	assert_string_not_equal(k1, k2);
	/* Moving a name between rules changes the key (lengths are framed). */
	p.default_action = S("SCMP_ACT_ALLOW");
	names[0] = S("getpi");
	assert_int_equal(cinch_seccomp_cache_key(&p, k2, &err), 0);
	assert_string_not_equal(k1, k2);
}

static void cache_checks_profile_before_hit(void **state)
{
	char *names[] = {S("getpid"), NULL}, *flags[] = {S("SECCOMP_FILTER_FLAG_NOPE"), NULL};
	struct cinch_seccomp_filter f = {0};
	struct cinch_seccomp_syscall rule;
	struct cinch_seccomp p;
	struct cinch_error err = {0};
	char *dir = make_tmpdir();

	small_profile(&p, &rule, names);
	cached_expect(&p, dir, 0, NULL);
	/* Same key (flags are not in it), but the bad flag must still fail. */
	p.flags = strv(flags);
	assert_int_equal(cinch_seccomp_compile_cached(&p, dir, &f, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ".linux.seccomp.flags[0]"));
	assert_null(f.bpf);
	remove_tree(dir);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Not an assertion (no timing assertions): prints compile vs hit cost. */
static void cache_measure_docker_profile(void **state)
{
	struct cinch_spec *spec = NULL;
	const struct cinch_seccomp *profile = load_docker_seccomp(&spec);
	struct cinch_seccomp_filter f = {0};
	struct cinch_error err = {0};
	const int rounds = 50;
	double t0, compile_ms, hit_ms;
	char *dir;

	if (!profile) {
		skip();
		return;
	}
	dir = make_tmpdir();
	t0 = now_ms();
	for (int i = 0; i < rounds; i++) {
		assert_int_equal(cinch_seccomp_compile(profile, &f, &err), 0);
		cinch_seccomp_filter_release(&f);
	}
	compile_ms = (now_ms() - t0) / rounds;
	cached_expect(profile, dir, 0, NULL);
	t0 = now_ms();
	for (int i = 0; i < rounds; i++)
		cached_expect(profile, dir, 1, NULL);
	hit_ms = (now_ms() - t0) / rounds;
	print_message("docker profile: compile %.3f ms, cache hit %.3f ms (mean of %d)\n",
		      compile_ms, hit_ms, rounds);
	cinch_spec_free(spec);
	remove_tree(dir);
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	struct security_sha256 h;
	uint8_t d[32];

	security_sha256_init(&h);
	security_sha256_update(&h, data, len);
	security_sha256_final(&h, d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* FIPS 180-2 appendix B vectors. */
static void sha256_known_vectors(void **state)
{
	char *million = malloc(1000000);
	char out[65];

	assert_non_null(million);
	sha256_hex("", 0, out);
	assert_string_equal(out,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, out);
	assert_string_equal(out,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	assert_string_equal(out,
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	sha256_hex(million, 1000000, out);
	assert_string_equal(out,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* Feeding the same bytes in odd-sized pieces (partial blocks, whole blocks
 * straight from the buffer, padding across a block) gives the one-shot digest. */
static void sha256_chunked_equals_one_shot(void **state)
{
	static const size_t sizes[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4099};
	uint8_t *data = malloc(4099);
	uint8_t whole[32], pieces[32];

	assert_non_null(data);
	for (size_t i = 0; i < 4099; i++)
		data[i] = (uint8_t)(i * 131 + 7);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct security_sha256 h;
		size_t n = sizes[s], off = 0, step = 1;

		security_sha256_init(&h);
		security_sha256_update(&h, data, n);
		security_sha256_final(&h, whole);
		security_sha256_init(&h);
		while (off < n) {
			size_t k = step < n - off ? step : n - off;

			security_sha256_update(&h, data + off, k);
			off += k;
			step = step * 3 + 1; /* 1, 4, 13, 40, 121, ... */
		}
		security_sha256_final(&h, pieces);
		assert_memory_equal(whole, pieces, 32);
	}
	free(data);
}

/* The SHA-NI blocks and the portable ones agree; only testable where the
 * CPU has SHA-NI (printed otherwise: the known vectors above then ran on
 * the portable code). */
static void sha256_x86_matches_portable(void **state)
{
#ifdef __x86_64__
	uint32_t a[8], b[8];
	uint8_t data[64 * 9];

	if (!security_sha256_x86_usable()) {
		print_message("no SHA-NI on this CPU: portable blocks only\n");
		return;
	}
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 197 + (i >> 3));
	for (size_t blocks = 1; blocks <= 9; blocks++) {
		for (int i = 0; i < 8; i++)
			a[i] = b[i] = 0x01234567u * (uint32_t)(i + 1) + (uint32_t)blocks;
		security_sha256_portable_blocks(a, data, blocks);
		security_sha256_x86_blocks(b, data, blocks);
		assert_memory_equal(a, b, sizeof(a));
	}
#else
	print_message("not x86-64: portable blocks only\n");
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cache_hit_returns_identical_bpf),
	    cmocka_unit_test(cache_rejects_corrupted_entries),
	    cmocka_unit_test(cache_unusable_dir_still_compiles),
	    cmocka_unit_test(cache_key_tracks_what_shapes_the_bpf),
	    cmocka_unit_test(cache_checks_profile_before_hit),
	    cmocka_unit_test(cache_measure_docker_profile),
	    cmocka_unit_test(sha256_known_vectors),
	    cmocka_unit_test(sha256_chunked_equals_one_shot),
	    cmocka_unit_test(sha256_x86_matches_portable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
