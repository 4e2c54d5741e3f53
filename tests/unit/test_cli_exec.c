/* SPDX-License-Identifier: Apache-2.0 */
/* cli exec: runc's exec flags and the process they describe (the
 * container's own, overridden), and the --process FILE path engines use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec_flags.h"

static const char container_json[] =
    "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
    "\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":10,\"width\":20},"
    "\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"/bin/init\"],"
    "\"env\":[\"PATH=/bin\",\"A=1\"],\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_CHOWN\"],"
    "\"permitted\":[\"CAP_CHOWN\"]},\"apparmorProfile\":\"ctr-profile\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}";

static struct cinch_spec *container(void)
{
	struct cinch_spec *spec = NULL;
	struct cinch_error err = {0};

	assert_int_equal(cinch_spec_load_buffer(container_json, strlen(container_json),
						"config.json", &spec, &err),
			 0);
	return spec;
}

static int parse(char **argv, struct cli_exec_flags *f, struct cinch_error *err)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	memset(f, 0, sizeof(*f));
	return cli_exec_parse(argc, argv, f, err);
}

static void flags_override_the_container_process(void **state)
{
	char *argv[] = {(char *)"exec",
			(char *)"-e",
			(char *)"B=2",
			(char *)"--cwd",
			(char *)"/tmp",
			(char *)"-u",
			(char *)"1000:5",
			(char *)"-g",
			(char *)"7,8",
			(char *)"--cap",
			(char *)"sys_ptrace",
			(char *)"--no-new-privs",
			(char *)"id",
			(char *)"sh",
			(char *)"-c",
			(char *)"exit 3",
			NULL};
	struct cli_exec_flags f;
	struct cinch_error err = {0};
	struct cinch_spec *spec = container();
	struct cinch_process *p = NULL;

	assert_int_equal(parse(argv, &f, &err), 0);
	assert_string_equal(f.id, "id");
	assert_int_equal(f.n_args, 3);
	assert_int_equal(cli_exec_build_process(&f, spec, &p, &err), 0);
	assert_int_equal(p->args.len, 3);
	assert_string_equal(p->args.items[2], "exit 3");
	/* env appended to the container's, terminal off unless -t */
	assert_int_equal(p->env.len, 3);
	assert_string_equal(p->env.items[2], "B=2");
	assert_true(p->terminal.present);
	assert_false(p->terminal.value);
	assert_null(p->console_size);
	assert_string_equal(p->cwd, "/tmp");
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 5);
	assert_int_equal(p->user.additional_gids.len, 2);
	assert_int_equal(p->user.additional_gids.items[1], 8);
	assert_true(p->no_new_privileges.value);
	/* --cap joins bounding, effective, permitted; not ambient without inheritable */
	assert_true(cinch_strv_contains(&p->capabilities->bounding, "CAP_SYS_PTRACE"));
	assert_true(cinch_strv_contains(&p->capabilities->effective, "CAP_SYS_PTRACE"));
	assert_true(cinch_strv_contains(&p->capabilities->permitted, "CAP_SYS_PTRACE"));
	assert_int_equal(p->capabilities->ambient.len, 0);
	assert_string_equal(p->apparmor_profile, "ctr-profile");
	cinch_process_free(p);
	cinch_spec_free(spec);
	cli_exec_flags_release(&f);
}

static void engine_flags_and_process_file(void **state)
{
	char path[] = "/tmp/cinch-test-exec-XXXXXX";
	const char doc[] = "{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"tty\"],"
			   "\"cwd\":\"/\"}";
	char *argv[] = {(char *)"exec",
			(char *)"--process",
			path,
			(char *)"--console-socket",
			(char *)"/tmp/pty.sock",
			(char *)"--detach",
			(char *)"--pid-file",
			(char *)"/b/e1.pid",
			(char *)"--tty",
			(char *)"--ignore-paused",
			(char *)"--preserve-fds=2",
			(char *)"cid",
			NULL};
	struct cli_exec_flags f;
	struct cinch_error err = {0};
	struct cinch_spec *spec = container();
	struct cinch_process *p = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	assert_int_equal(parse(argv, &f, &err), 0);
	assert_true(f.opts.detach);
	assert_true(f.opts.ignore_paused);
	assert_int_equal(f.opts.preserve_fds, 2);
	assert_string_equal(f.opts.pid_file, "/b/e1.pid");
	assert_string_equal(f.opts.console_socket, "/tmp/pty.sock");
	assert_int_equal(cli_exec_build_process(&f, spec, &p, &err), 0);
	/* the file is the process: nothing of the container's is merged in */
	assert_string_equal(p->args.items[0], "tty");
	assert_true(p->terminal.value);
	assert_null(p->capabilities);
	assert_null(p->apparmor_profile);
	cinch_process_free(p);
	unlink(path);
	cinch_spec_free(spec);
	cli_exec_flags_release(&f);
}

static void refused(char **argv, const char *msg)
{
	struct cli_exec_flags f;
	struct cinch_error err = {0};
	struct cinch_spec *spec = container();
	struct cinch_process *p = NULL;
	int r = parse(argv, &f, &err);

	if (r == 0)
		r = cli_exec_build_process(&f, spec, &p, &err);
	assert_true(r < 0);
	assert_non_null(strstr(err.msg, msg));
	assert_null(p);
	cinch_spec_free(spec);
	cli_exec_flags_release(&f);
}

static void bad_input_is_refused(void **state)
{
	char *no_id[] = {(char *)"exec", (char *)"-d", NULL};
	char *no_cmd[] = {(char *)"exec", (char *)"id", NULL};
	char *both[] = {(char *)"exec", (char *)"-p",	(char *)"/x.json",
			(char *)"id",	(char *)"true", NULL};
	char *mixed[] = {
	    (char *)"exec", (char *)"-p", (char *)"/x.json", (char *)"-e", (char *)"A=1",
	    (char *)"id",   NULL};
	char *user[] = {(char *)"exec", (char *)"-u",	(char *)"root",
			(char *)"id",	(char *)"true", NULL};
	char *cap[] = {(char *)"exec", (char *)"--cap", (char *)"CAP_NOPE",
		       (char *)"id",   (char *)"true",	NULL};
	char *unknown[] = {(char *)"exec", (char *)"--bogus", (char *)"id", NULL};
	char *missing2[] = {(char *)"exec", (char *)"--cwd", NULL};

	refused(no_id, "expected a container id");
	refused(no_cmd, "a command is required");
	refused(both, "mutually exclusive");
	refused(mixed, "cannot be combined");
	refused(user, "--user: invalid number root");
	refused(cap, "--cap CAP_NOPE: unknown capability");
	refused(unknown, "unknown flag --bogus");
	refused(missing2, "needs a value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(flags_override_the_container_process),
	    cmocka_unit_test(engine_flags_and_process_file),
	    cmocka_unit_test(bad_input_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
