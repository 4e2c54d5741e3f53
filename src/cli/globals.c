/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Global flags. Engines put them before the subcommand in varying order:
 * Docker's runtimeArgs wrapper puts cinch's own flags first, podman adds
 * --runtime-flag values as "--K=V", the containerd shim appends
 * --systemd-cgroup after --log-format. Boolean flags accept "=true|false".
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "globals.h"

#define DEFAULT_ROOT "/run/cinch"

enum flag_kind {
	FLAG_STRING,
	FLAG_BOOL,
};

struct flag_def {
	const char *name; /* without leading dashes */
	enum flag_kind kind;
	int id;
};

enum flag_id {
	F_ROOT,
	F_LOG,
	F_LOG_FORMAT,
	F_DEBUG,
	F_SYSTEMD_CGROUP,
	F_ROOTLESS,
	F_POLICY,
	F_VERSION,
	F_HELP,
	F_CRIU,
};

static const struct flag_def flags[] = {
    {"root", FLAG_STRING, F_ROOT},
    {"log", FLAG_STRING, F_LOG},
    {"log-format", FLAG_STRING, F_LOG_FORMAT},
    {"debug", FLAG_BOOL, F_DEBUG},
    {"systemd-cgroup", FLAG_BOOL, F_SYSTEMD_CGROUP},
    {"rootless", FLAG_STRING, F_ROOTLESS},
    {"policy", FLAG_STRING, F_POLICY},
    {"version", FLAG_BOOL, F_VERSION},
    {"v", FLAG_BOOL, F_VERSION},
    {"help", FLAG_BOOL, F_HELP},
    {"h", FLAG_BOOL, F_HELP},
    /* runc accepts --criu PATH; cinch has no checkpointing, but a caller
     * passing it globally must not break other commands. */
    {"criu", FLAG_STRING, F_CRIU},
};

static const struct flag_def *find_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
			return &flags[i];
	return NULL;
}

static int parse_bool(const char *flag, const char *value, bool *ret, struct cinch_error *err)
{
	if (!value || strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
		*ret = true;
		return 0;
	}
	if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
		*ret = false;
		return 0;
	}
	return cinch_error_set(err, EINVAL, "--%s: expected true or false, got \"%s\"", flag,
			       value);
}

static int apply_flag(const struct flag_def *def, const char *value, struct cli_globals *g,
		      enum cli_globals_action *action, struct cinch_error *err)
{
	bool b = false;
	int r;

	if (def->kind == FLAG_BOOL) {
		r = parse_bool(def->name, value, &b, err);
		if (r < 0)
			return r;
	} else if (!value || value[0] == '\0') {
		return cinch_error_set(err, EINVAL, "--%s: empty value", def->name);
	}

	switch (def->id) {
	case F_ROOT:
		g->root = value;
		break;
	case F_LOG:
		g->log_path = value;
		break;
	case F_LOG_FORMAT:
		if (strcmp(value, "json") == 0)
			g->log_format = CINCH_LOG_JSON;
		else if (strcmp(value, "text") == 0)
			g->log_format = CINCH_LOG_TEXT;
		else
			return cinch_error_set(
			    err, EINVAL, "--log-format: expected text or json, got \"%s\"", value);
		break;
	case F_DEBUG:
		g->debug = b;
		break;
	case F_SYSTEMD_CGROUP:
		g->systemd_cgroup = b;
		break;
	case F_ROOTLESS:
		if (strcmp(value, "auto") != 0 && strcmp(value, "true") != 0 &&
		    strcmp(value, "false") != 0)
			return cinch_error_set(
			    err, EINVAL, "--rootless: expected auto, true or false, got \"%s\"",
			    value);
		g->rootless = value;
		break;
	case F_POLICY:
		g->policy_path = value;
		break;
	case F_VERSION:
		if (b)
			*action = CLI_PRINT_VERSION;
		break;
	case F_HELP:
		if (b)
			*action = CLI_PRINT_HELP;
		break;
	case F_CRIU:
		break;
	default:
		return cinch_error_set(err, EINVAL, "internal: unhandled global flag --%s",
				       def->name);
	}
	return 0;
}

int cli_parse_globals(int argc, char **argv, struct cli_globals *g,
		      enum cli_globals_action *ret_action, int *ret_next, struct cinch_error *err)
{
	enum cli_globals_action action = CLI_RUN_COMMAND;
	int i = 1;

	g->root = DEFAULT_ROOT;
	g->log_format = CINCH_LOG_TEXT;
	g->self_path = argc > 0 ? argv[0] : "cinch";

	for (; i < argc; i++) {
		const char *arg = argv[i];
		const char *name, *eq, *value = NULL;
		const struct flag_def *def;
		size_t name_len;
		int r;

		if (arg[0] != '-' || arg[1] == '\0')
			break; /* the subcommand */
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		name_len = eq ? (size_t)(eq - name) : strlen(name);
		def = find_flag(name, name_len);
		if (!def)
			return cinch_error_set(err, EINVAL, "unknown global flag %s", arg);
		if (eq) {
			value = eq + 1;
		} else if (def->kind == FLAG_STRING) {
			if (i + 1 >= argc)
				return cinch_error_set(err, EINVAL, "--%s: missing value",
						       def->name);
			value = argv[++i];
		}
		r = apply_flag(def, value, g, &action, err);
		if (r < 0)
			return r;
	}
	*ret_action = action;
	*ret_next = i;
	return 0;
}
