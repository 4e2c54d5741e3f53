/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state: id validation, the container directory (create, duplicate id,
 * lock, remove), state.json round trip and the runc-shaped state document,
 * listing that skips another runtime's directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/state.h"

static void ids_are_validated(void **state)
{
	struct cinch_error err = {0};
	char long_id[CINCH_STATE_ID_MAX + 2];

	assert_int_equal(cinch_state_validate_id("abc-1_2+3.4", &err), 0);
	assert_int_equal(cinch_state_validate_id("0123456789abcdef", &err), 0);
	assert_int_equal(cinch_state_validate_id("", &err), -EINVAL);
	assert_int_equal(cinch_state_validate_id(".hidden", &err), -EINVAL);
	assert_int_equal(cinch_state_validate_id("a/b", &err), -EINVAL);
	assert_int_equal(cinch_state_validate_id("..", &err), -EINVAL);
	assert_int_equal(cinch_state_validate_id("a b", &err), -EINVAL);
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(cinch_state_validate_id(long_id, &err), -EINVAL);
}

static char *make_root(void)
{
	char tmpl[] = "/tmp/cinch-state-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static struct cinch_state *sample(const char *id)
{
	struct cinch_state *st = calloc(1, sizeof(*st));

	st->id = strdup(id);
	st->oci_version = strdup("1.2.0");
	st->bundle = strdup("/b");
	st->rootfs = strdup("/b/rootfs");
	st->created = strdup("2026-11-22T09:48:43.64726556Z");
	st->owner = strdup("root");
	st->pid = 1234;
	st->pid_start_time = 987654321;
	st->cgroup = strdup("{\"backend\":\"v1\"}");
	st->own_pid_ns = true;
	st->has_poststop = true;
	st->annotations.items = calloc(2, sizeof(struct cinch_kv));
	st->annotations.items[0].key = strdup("io.kubernetes.cri.container-type");
	st->annotations.items[0].value = strdup("sandbox");
	st->annotations.len = 1;
	st->annotations.present = true;
	return st;
}

static void dir_lifecycle_and_roundtrip(void **state)
{
	struct cinch_error err = {0};
	char *root = make_root();
	int dirfd = -1, dirfd2 = -1, lockfd;
	struct cinch_state *st = sample("c1"), *back = NULL;
	char *doc = NULL;
	char path[512];

	assert_int_equal(cinch_state_dir_create(root, "c1", &dirfd, &err), 0);
	assert_int_equal(cinch_state_dir_create(root, "c1", &dirfd2, &err), -EEXIST);
	assert_string_equal(err.msg, "container with id exists: c1");
	/* The create holds the lock: another non-blocking locker fails. */
	snprintf(path, sizeof(path), "%s/c1", root);
	lockfd = open(path, O_RDONLY | O_DIRECTORY);
	assert_int_equal(flock(lockfd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(lockfd);

	assert_int_equal(cinch_state_save(dirfd, st, &err), 0);
	assert_int_equal(cinch_state_load(dirfd, "c1", &back, &err), 0);
	assert_string_equal(back->bundle, "/b");
	assert_int_equal(back->pid, 1234);
	assert_true(back->pid_start_time == 987654321);
	assert_string_equal(back->cgroup, "{\"backend\":\"v1\"}");
	assert_true(back->own_pid_ns);
	assert_true(back->has_poststop);
	assert_false(back->has_poststart);
	assert_int_equal(back->annotations.len, 1);

	assert_int_equal(cinch_state_oci_json(back, CINCH_STATUS_STOPPED, false, &doc, NULL, &err),
			 0);
	/* runc's shape: a stopped container reports pid 0. */
	assert_non_null(strstr(doc, "\"pid\":0"));
	assert_non_null(strstr(doc, "\"status\":\"stopped\""));
	assert_non_null(strstr(doc, "\"ociVersion\":\"1.2.0\""));
	assert_non_null(strstr(doc, "\"io.kubernetes.cri.container-type\":\"sandbox\""));
	assert_null(strstr(doc, "pidStartTime"));
	free(doc);

	assert_int_equal(cinch_state_dir_remove(root, "c1", dirfd, &err), 0);
	snprintf(path, sizeof(path), "%s/c1", root);
	assert_int_equal(access(path, F_OK), -1);
	close(dirfd);
	assert_int_equal(cinch_state_dir_open(root, "c1", true, &dirfd, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "does not exist"));
	cinch_state_free(st);
	cinch_state_free(back);
	rmdir(root);
	free(root);
}

static void list_skips_foreign_dirs(void **state)
{
	struct cinch_error err = {0};
	char *root = make_root();
	char path[512];
	char **ids = NULL;
	size_t n = 0;
	int dirfd = -1;
	FILE *f;
	struct cinch_state *st = sample("ours");

	assert_int_equal(cinch_state_dir_create(root, "ours", &dirfd, &err), 0);
	assert_int_equal(cinch_state_save(dirfd, st, &err), 0);
	/* runc's container in a shared --root: a state.json without our marker */
	snprintf(path, sizeof(path), "%s/theirs", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/theirs/state.json", root);
	f = fopen(path, "w");
	fputs("{\"id\":\"theirs\",\"init_process_pid\":1}", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/stray-file", root);
	close(open(path, O_CREAT | O_WRONLY, 0600));

	assert_int_equal(cinch_state_list_ids(root, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "ours");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);

	cinch_state_dir_remove(root, "ours", dirfd, &err);
	close(dirfd);
	snprintf(path, sizeof(path), "%s/theirs/state.json", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/theirs", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/stray-file", root);
	unlink(path);
	rmdir(root);
	free(root);
	cinch_state_free(st);

	/* A missing root is an empty list, not an error. */
	assert_int_equal(cinch_state_list_ids("/nonexistent/cinch-root", &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	free(ids);
}

static void parse_rejects_foreign_and_bad(void **state)
{
	struct cinch_error err = {0};
	struct cinch_state *st = NULL;

	assert_int_equal(cinch_state_parse("{\"id\":\"x\"}", "x", &st, &err), -EINVAL);
	assert_int_equal(cinch_state_parse("not json", "x", &st, &err), -EINVAL);
	assert_int_equal(cinch_state_parse("{\"cinch\":1,\"id\":\"y\",\"ociVersion\":\"1\","
					   "\"bundle\":\"/\",\"rootfs\":\"/\",\"created\":\"t\","
					   "\"owner\":\"\",\"pid\":1,\"pidStartTime\":1}",
					   "x", &st, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "records id y"));
	assert_null(st);
}

static void pid_start_time_and_now(void **state)
{
	struct cinch_error err = {0};
	uint64_t t = 0;
	char *now = NULL;

	assert_int_equal(cinch_state_pid_start_time(getpid(), &t), 0);
	assert_true(t > 0);
	assert_int_equal(cinch_state_pid_start_time(0, &t), -ESRCH);
	assert_int_equal(cinch_state_now(&now, &err), 0);
	assert_int_equal(now[4], '-');
	assert_int_equal(now[10], 'T');
	assert_int_equal(now[strlen(now) - 1], 'Z');
	free(now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ids_are_validated),
	    cmocka_unit_test(dir_lifecycle_and_roundtrip),
	    cmocka_unit_test(list_skips_foreign_dirs),
	    cmocka_unit_test(parse_rejects_foreign_and_bad),
	    cmocka_unit_test(pid_start_time_and_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
