/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading cinch's own AppArmor profile into the kernel when a container
 * needs it and the host has not loaded it yet (Docker does the same for
 * docker-default). cinch never compiles profiles itself: it runs the host's
 * apparmor_parser on a profile file that only root can have written, from
 * cinch's data directory or /etc/apparmor.d.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cinch-config.h"
#include "cinch/cleanup.h"
#include "cinch/security.h"

extern char **environ;

static const char *const profile_dirs[] = {CINCH_DATADIR "/apparmor", "/etc/apparmor.d"};
static const char *const parser_paths[] = {"/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"};

bool cinch_apparmor_profile_loaded(const char *profile)
{
	_cleanup_fclose_ FILE *f = NULL;
	char line[512];
	size_t len;

	if (!profile || !*profile)
		return false;
	f = fopen("/sys/kernel/security/apparmor/profiles", "re");
	if (!f)
		return false;
	len = strlen(profile);
	/* One profile per line: "name (mode)". */
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, profile, len) == 0 && line[len] == ' ')
			return true;
	return false;
}

/* A profile file is trusted only if root owns it and nobody else can
 * write it: whoever writes it decides what every container may do. */
static int trusted_file(const char *path, struct cinch_error *err)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return -ENOENT; /* not there: the caller looks elsewhere */
		return cinch_error_errno(err, errno, "apparmor profile %s", path);
	}
	if (!S_ISREG(st.st_mode))
		return cinch_error_set(err, EPERM, "apparmor profile %s: not a regular file", path);
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return cinch_error_set(err, EPERM,
				       "apparmor profile %s: must be owned by root and writable "
				       "only by root",
				       path);
	return 0;
}

static int find_profile_file(const char *profile, char **ret, struct cinch_error *err)
{
	for (size_t i = 0; i < sizeof(profile_dirs) / sizeof(profile_dirs[0]); i++) {
		_cleanup_free_ char *path = NULL;
		int r;

		if (asprintf(&path, "%s/%s", profile_dirs[i], profile) < 0)
			return cinch_error_errno(err, ENOMEM, "apparmor profile %s", profile);
		r = trusted_file(path, err);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		*ret = steal_pointer(&path);
		return 0;
	}
	return cinch_error_set(err, ENOENT, "apparmor profile %s: no file in %s or %s", profile,
			       profile_dirs[0], profile_dirs[1]);
}

static const char *find_parser(void)
{
	for (size_t i = 0; i < sizeof(parser_paths) / sizeof(parser_paths[0]); i++)
		if (access(parser_paths[i], X_OK) == 0)
			return parser_paths[i];
	return NULL;
}

/* Runs `apparmor_parser -K -r FILE` with its output in a temporary file,
 * so a failure can quote the parser's first line. */
static int run_parser(const char *parser, const char *file, struct cinch_error *err)
{
	char *argv[] = {(char *)parser, (char *)"-K", (char *)"-r", (char *)file, NULL};
	_cleanup_close_ int out = -1;
	posix_spawn_file_actions_t fa;
	char first[256] = "";
	pid_t pid;
	int status, r;

	out = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (out < 0)
		return cinch_error_errno(err, errno, "apparmor_parser: temporary output file");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	r = posix_spawn(&pid, parser, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return cinch_error_errno(err, r, "running %s", parser);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cinch_error_errno(err, errno, "waiting for %s", parser);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	ssize_t n = pread(out, first, sizeof(first) - 1, 0);
	first[n > 0 ? n : 0] = '\0';
	first[strcspn(first, "\n")] = '\0';
	return cinch_error_set(err, EIO, "%s -K -r %s failed (%s %d): %s", parser, file,
			       WIFEXITED(status) ? "exit" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			       first[0] ? first : "no output");
}

int cinch_apparmor_load_profile(const char *profile, struct cinch_error *err)
{
	_cleanup_free_ char *file = NULL;
	const char *parser;
	int r;

	if (!profile || !*profile || strchr(profile, '/') || profile[0] == '.')
		return cinch_error_set(err, EINVAL, "apparmor profile \"%s\": invalid name",
				       profile ? profile : "");
	if (!cinch_apparmor_enabled())
		return cinch_error_set(err, EOPNOTSUPP,
				       "apparmor profile %s: AppArmor is not enabled on this host",
				       profile);
	parser = find_parser();
	if (!parser)
		return cinch_error_set(err, ENOENT,
				       "apparmor profile %s: apparmor_parser is not installed "
				       "(Debian package apparmor)",
				       profile);
	r = find_profile_file(profile, &file, err);
	if (r < 0)
		return r;
	r = run_parser(parser, file, err);
	if (r < 0)
		return r;
	if (!cinch_apparmor_profile_loaded(profile))
		return cinch_error_set(err, ENOENT,
				       "apparmor profile %s: %s loaded %s but the kernel does not "
				       "list the profile (does the file define it?)",
				       profile, parser, file);
	return 0;
}
