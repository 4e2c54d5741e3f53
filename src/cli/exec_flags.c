/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch exec` flags, as runc takes them, and the process they describe:
 * either the bare OCI process object of --process FILE (what Docker, CRI
 * and podman send), or the container's own process with the command line's
 * args and the flags' overrides (--env appends, --cap adds to the bounding,
 * effective and permitted sets, and to ambient when the container has
 * inheritable ones, --user/--additional-gids replace).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cinch/cleanup.h"
#include "cinch/security.h"
#include "exec_flags.h"

enum {
	OPT_PID_FILE = 3001,
	OPT_CONSOLE_SOCKET,
	OPT_NO_NEW_PRIVS,
	OPT_APPARMOR,
	OPT_PROCESS_LABEL,
	OPT_PRESERVE_FDS,
	OPT_CGROUP,
	OPT_IGNORE_PAUSED,
	OPT_PIDFD_SOCKET,
};

static const struct option longopts[] = {
    {"process", required_argument, NULL, 'p'},
    {"detach", no_argument, NULL, 'd'},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET},
    {"tty", no_argument, NULL, 't'},
    {"cwd", required_argument, NULL, 'w'},
    {"env", required_argument, NULL, 'e'},
    {"user", required_argument, NULL, 'u'},
    {"additional-gids", required_argument, NULL, 'g'},
    {"cap", required_argument, NULL, 'c'},
    {"no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS},
    {"apparmor", required_argument, NULL, OPT_APPARMOR},
    {"process-label", required_argument, NULL, OPT_PROCESS_LABEL},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS},
    {"cgroup", required_argument, NULL, OPT_CGROUP},
    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
    {"pidfd-socket", required_argument, NULL, OPT_PIDFD_SOCKET},
    {NULL, 0, NULL, 0},
};

static int parse_u32(const char *flag, const char *text, uint32_t *ret, struct cinch_error *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > UINT32_MAX)
		return cinch_error_set(err, EINVAL, "%s: invalid number %s", flag, text);
	*ret = (uint32_t)v;
	return 0;
}

/* --user uid[:gid] (numbers, as runc takes them). */
static int parse_user(struct cli_exec_flags *f, const char *arg, struct cinch_error *err)
{
	_cleanup_free_ char *copy = strdup(arg);
	char *colon;
	int r;

	if (!copy)
		return cinch_error_set(err, ENOMEM, "out of memory");
	colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	r = parse_u32("--user", copy, &f->uid, err);
	if (r < 0)
		return r;
	if (colon) {
		r = parse_u32("--user", colon + 1, &f->gid, err);
		if (r < 0)
			return r;
		f->gid_set = true;
	}
	f->user_set = true;
	return 0;
}

/* --additional-gids N, repeatable, or a comma-separated list. */
static int parse_gids(struct cli_exec_flags *f, const char *arg, struct cinch_error *err)
{
	_cleanup_free_ char *copy = strdup(arg);
	char *save, *tok;

	if (!copy)
		return cinch_error_set(err, ENOMEM, "out of memory");
	save = copy;
	while ((tok = strsep(&save, ","))) {
		uint32_t *n = realloc(f->gids, (f->n_gids + 1) * sizeof(*n));
		int r;

		if (!n)
			return cinch_error_set(err, ENOMEM, "out of memory");
		f->gids = n;
		r = parse_u32("--additional-gids", tok, &f->gids[f->n_gids], err);
		if (r < 0)
			return r;
		f->n_gids++;
	}
	f->gids_set = true;
	return 0;
}

static int push(const char ***v, size_t *n, const char *s, struct cinch_error *err)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(char *));

	if (!nv)
		return cinch_error_set(err, ENOMEM, "out of memory");
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

/* --cap NAME: "CAP_SYS_ADMIN", "cap_sys_admin" or "SYS_ADMIN". */
static int parse_cap(struct cli_exec_flags *f, const char *arg, struct cinch_error *err)
{
	char *name = NULL;
	int cap;

	if (asprintf(&name, "%s%s", strncasecmp(arg, "CAP_", 4) == 0 ? "" : "CAP_", arg) < 0)
		return cinch_error_set(err, ENOMEM, "out of memory");
	for (char *c = name; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	if (cinch_cap_from_name(name, &cap) < 0) {
		free(name);
		return cinch_error_set(err, EINVAL, "--cap %s: unknown capability", arg);
	}
	if (push(&f->caps, &f->n_caps, name, err) < 0) {
		free(name);
		return -ENOMEM;
	}
	return 0;
}

int cli_exec_parse(int argc, char **argv, struct cli_exec_flags *f, struct cinch_error *err)
{
	char *end;
	unsigned long n;
	int opt, r = 0;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:dtw:e:u:g:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			f->process_file = optarg;
			break;
		case 'd':
			f->opts.detach = true;
			break;
		case OPT_PID_FILE:
			f->opts.pid_file = optarg;
			break;
		case OPT_CONSOLE_SOCKET:
			f->opts.console_socket = optarg;
			break;
		case 't':
			f->tty = true;
			break;
		case 'w':
			f->cwd = optarg;
			f->n_overrides++;
			break;
		case 'e':
			r = push(&f->env, &f->n_env, optarg, err);
			f->n_overrides++;
			break;
		case 'u':
			r = parse_user(f, optarg, err);
			f->n_overrides++;
			break;
		case 'g':
			r = parse_gids(f, optarg, err);
			f->n_overrides++;
			break;
		case 'c':
			r = parse_cap(f, optarg, err);
			f->n_overrides++;
			break;
		case OPT_NO_NEW_PRIVS:
			f->no_new_privs = true;
			f->n_overrides++;
			break;
		case OPT_APPARMOR:
			f->apparmor = optarg;
			f->n_overrides++;
			break;
		case OPT_PROCESS_LABEL:
			f->process_label = optarg;
			f->n_overrides++;
			break;
		case OPT_PRESERVE_FDS:
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || !optarg[0] || optarg[0] == '-' || n > 65536)
				return cinch_error_set(err, EINVAL,
						       "--preserve-fds: invalid count %s", optarg);
			f->opts.preserve_fds = (unsigned)n;
			break;
		case OPT_CGROUP:
			f->opts.cgroup = optarg;
			break;
		case OPT_IGNORE_PAUSED:
			f->opts.ignore_paused = true;
			break;
		case OPT_PIDFD_SOCKET:
			return cinch_error_set(err, ENOTSUP, "--pidfd-socket is not supported");
		case ':':
			return cinch_error_set(err, EINVAL, "exec: flag %s needs a value",
					       argv[optind - 1]);
		default:
			return cinch_error_set(err, EINVAL, "exec: unknown flag %s",
					       argv[optind - 1]);
		}
		if (r < 0)
			return r;
	}
	if (optind >= argc)
		return cinch_error_set(err, EINVAL,
				       "exec: expected a container id (usage: exec [flags] ID "
				       "[COMMAND [ARGS...]])");
	f->id = argv[optind];
	f->args = argv + optind + 1;
	f->n_args = argc - optind - 1;
	return 0;
}

void cli_exec_flags_release(struct cli_exec_flags *f)
{
	for (size_t i = 0; i < f->n_caps; i++)
		free((char *)f->caps[i]);
	free(f->caps);
	free(f->env);
	free(f->gids);
}

static int set_str(char **dst, const char *value, struct cinch_error *err)
{
	char *copy = strdup(value);

	if (!copy)
		return cinch_error_set(err, ENOMEM, "out of memory");
	free(*dst);
	*dst = copy;
	return 0;
}

static int add_caps(const struct cli_exec_flags *f, struct cinch_process *p,
		    struct cinch_error *err)
{
	struct cinch_capabilities *c = p->capabilities;
	bool ambient;

	if (!f->n_caps)
		return 0;
	if (!c) {
		c = p->capabilities = calloc(1, sizeof(*c));
		if (!c)
			return cinch_error_set(err, ENOMEM, "out of memory");
	}
	/* Ambient needs inheritable, which --cap does not add. */
	ambient = c->inheritable.len > 0;
	for (size_t i = 0; i < f->n_caps; i++) {
		struct cinch_strv *sets[] = {&c->bounding, &c->effective, &c->permitted,
					     ambient ? &c->ambient : NULL};
		for (size_t k = 0; k < N_ELEMENTS(sets); k++) {
			int r;
			if (!sets[k] || cinch_strv_contains(sets[k], f->caps[i]))
				continue;
			r = cinch_strv_append(sets[k], f->caps[i], err);
			if (r < 0)
				return r;
			sets[k]->present = true;
		}
	}
	return 0;
}

/* The container's process, overridden by the flags. */
static int from_flags(const struct cli_exec_flags *f, struct cinch_process *p,
		      struct cinch_error *err)
{
	int r;

	cinch_strv_clear(&p->args);
	for (int i = 0; i < f->n_args; i++) {
		r = cinch_strv_append(&p->args, f->args[i], err);
		if (r < 0)
			return r;
	}
	p->args.present = true;
	p->terminal.present = true;
	p->terminal.value = f->tty;
	free(p->command_line);
	p->command_line = NULL;
	/* The init's console size is not the caller's terminal's. */
	free(p->console_size);
	p->console_size = NULL;
	if (f->cwd && (r = set_str(&p->cwd, f->cwd, err)) < 0)
		return r;
	if (f->apparmor && (r = set_str(&p->apparmor_profile, f->apparmor, err)) < 0)
		return r;
	if (f->process_label && (r = set_str(&p->selinux_label, f->process_label, err)) < 0)
		return r;
	for (size_t i = 0; i < f->n_env; i++) {
		r = cinch_strv_append(&p->env, f->env[i], err);
		if (r < 0)
			return r;
	}
	if (f->no_new_privs) {
		p->no_new_privileges.present = true;
		p->no_new_privileges.value = true;
	}
	if (f->user_set) {
		p->user.uid = f->uid;
		if (f->gid_set)
			p->user.gid = f->gid;
		p->user_present = true;
	}
	if (f->gids_set) {
		uint32_t *g = calloc(f->n_gids + 1, sizeof(*g));
		if (!g)
			return cinch_error_set(err, ENOMEM, "out of memory");
		memcpy(g, f->gids, f->n_gids * sizeof(*g));
		free(p->user.additional_gids.items);
		p->user.additional_gids.items = g;
		p->user.additional_gids.len = f->n_gids;
		p->user.additional_gids.present = true;
	}
	return add_caps(f, p, err);
}

int cli_exec_build_process(const struct cli_exec_flags *f, const struct cinch_spec *container,
			   struct cinch_process **ret, struct cinch_error *err)
{
	struct cinch_spec *copy = NULL;
	struct cinch_process *p = NULL;
	int r;

	if (f->process_file) {
		if (f->n_args)
			return cinch_error_set(err, EINVAL,
					       "exec: --process and a command line are mutually "
					       "exclusive");
		if (f->n_overrides)
			return cinch_error_set(
			    err, EINVAL,
			    "exec: --process cannot be combined with flags that "
			    "change the process (--env, --cwd, --user, --cap, ...)");
		r = cinch_process_load_file(f->process_file, &p, err);
		if (r < 0)
			return r;
		/* podman sends --tty next to a process file with terminal: true. */
		if (f->tty) {
			p->terminal.present = true;
			p->terminal.value = true;
		}
		*ret = p;
		return 0;
	}
	if (!f->n_args)
		return cinch_error_set(
		    err, EINVAL,
		    "exec: a command is required (usage: exec [flags] ID COMMAND "
		    "[ARGS...], or --process FILE)");
	if (!container->process)
		return cinch_error_set(err, EINVAL, "container %s: its config has no process",
				       f->id);
	r = cinch_spec_clone(container, &copy, err);
	if (r < 0)
		return r;
	p = steal_pointer(&copy->process);
	cinch_spec_free(copy);
	r = from_flags(f, p, err);
	if (r < 0) {
		cinch_process_free(p);
		return r;
	}
	*ret = p;
	return 0;
}
