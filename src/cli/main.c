/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cinch entry point: global flags, then exactly one subcommand. The one place
 * an error is printed: the last "error" line of --log, and stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <seccomp.h>

#include "cinch-config.h"
#include "cinch-version.h"
#include "cli.h"
#include "globals.h"

struct command {
	const char *name;
	cli_command_fn fn;
	const char *summary;
};

static const struct command commands[] = {
    {"create", cli_create, "create a container"},
    {"start", cli_start, "execute the user process of a created container"},
    {"run", cli_run, "create and start a container"},
    {"exec", cli_exec, "execute a new process inside a container"},
    {"kill", cli_kill, "send a signal to a container's init (or every process with --all)"},
    {"delete", cli_delete, "delete a container and everything it holds"},
    {"state", cli_state, "print the state of a container"},
    {"list", cli_list, "list containers"},
    {"ps", cli_ps, "list the host pids of a container's processes"},
    {"pause", cli_pause, "freeze every process of a container"},
    {"resume", cli_resume, "thaw a paused container"},
    {"update", cli_update, "update a container's resource limits"},
    {"events", cli_events, "print container events and statistics"},
    {"features", cli_features, "print the features this runtime supports"},
    {"spec", cli_spec, "write a new, hardened config.json"},
    {"checkpoint", cli_checkpoint, "checkpoint a container (not supported)"},
    {"restore", cli_restore, "restore a container (not supported)"},
    {"policy", cli_policy, "check, show and report the security policy"},
};

static void print_version(void)
{
	const struct scmp_version *v = seccomp_version();

	printf("cinch version %s\n", CINCH_VERSION);
	printf("commit: %s\n", CINCH_GIT_COMMIT);
	printf("spec: %s\n", CINCH_SPEC_VERSION);
	printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void print_help(void)
{
	printf("usage: cinch [global flags] COMMAND [flags] [args]\n\n"
	       "A runc-compatible OCI runtime that rewrites every container against a\n"
	       "hardening policy before it starts.\n\n"
	       "Global flags:\n"
	       "  --root DIR              state directory (default /run/cinch)\n"
	       "  --log FILE              append log lines to FILE\n"
	       "  --log-format text|json  format of the --log file\n"
	       "  --debug                 log debug messages\n"
	       "  --systemd-cgroup        use the systemd cgroup driver (slice:prefix:name)\n"
	       "  --rootless auto|true|false\n"
	       "  --policy FILE           host policy (default /etc/cinch/policy.json)\n"
	       "  --version, -v           print the version\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-11s %s\n", commands[i].name, commands[i].summary);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int fail(const struct cinch_error *err)
{
	cinch_log_fatal_error(err);
	cinch_log_close();
	return 1;
}

int main(int argc, char **argv)
{
	struct cli_globals g = {0};
	struct cinch_error err = {0};
	enum cli_globals_action action;
	const struct command *cmd;
	int next, r;

	r = cli_parse_globals(argc, argv, &g, &action, &next, &err);
	if (r < 0)
		return fail(&err);
	if (action == CLI_PRINT_VERSION) {
		print_version();
		return 0;
	}
	if (action == CLI_PRINT_HELP || next >= argc) {
		print_help();
		return action == CLI_PRINT_HELP ? 0 : 1;
	}
	r = cinch_log_open(g.log_path, g.log_format, g.debug, &err);
	if (r < 0)
		return fail(&err);

	cmd = find_command(argv[next]);
	if (!cmd) {
		cinch_error_set(&err, EINVAL, "unknown command \"%s\" (see cinch --help)",
				argv[next]);
		return fail(&err);
	}
	r = cmd->fn(&g, argc - next, argv + next, &err);
	if (r < 0)
		return fail(&err);
	cinch_log_close();
	return r;
}
