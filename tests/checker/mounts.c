/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cinch-checker mounts [PATH]: from /proc/self/mountinfo. Without PATH,
 * one "<mountpoint>=<mount options>" line per mount. With PATH, the mount
 * that PATH is on (the longest mountpoint prefix, topmost when stacked):
 * mountpoint, fstype, source, options, super (superblock options) and
 * readonly=0|1.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"

struct mount_line {
	char *mountpoint, *options, *fstype, *source, *super;
};

/* mountinfo: id parent maj:min root mountpoint options [optional...] - fstype source super */
static bool parse_line(char *line, struct mount_line *m)
{
	char *field[6] = {0}, *save = NULL, *tok;
	int i = 0;

	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		field[i++] = tok;
		if (i == 6)
			break;
	}
	if (i < 6)
		return false;
	m->mountpoint = field[4];
	m->options = field[5];
	while ((tok = strtok_r(NULL, " ", &save)) && strcmp(tok, "-") != 0)
		;
	m->fstype = strtok_r(NULL, " ", &save);
	m->source = strtok_r(NULL, " ", &save);
	m->super = strtok_r(NULL, " \n", &save);
	return m->fstype && m->source && m->super;
}

static bool under(const char *path, const char *mp)
{
	size_t n = strlen(mp);

	if (strcmp(mp, "/") == 0)
		return true;
	return strncmp(path, mp, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool has_option(const char *options, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = options; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

int checker_mounts(int argc, char **argv)
{
	char *info = checker_read_file("/proc/self/mountinfo");
	char resolved[PATH_MAX], *save = NULL, *line;
	struct mount_line best = {0};
	size_t best_len = 0;
	const char *path = NULL;

	if (!info)
		return checker_fail("/proc/self/mountinfo");
	if (argc > 1) {
		path = realpath(argv[1], resolved) ? resolved : argv[1];
	}
	for (line = strtok_r(info, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mount_line m;

		if (!parse_line(line, &m))
			continue;
		if (!path) {
			printf("%s=%s\n", m.mountpoint, m.options);
		} else if (under(path, m.mountpoint) && strlen(m.mountpoint) >= best_len) {
			/* Later lines are mounted on top of earlier ones. */
			best = m;
			best_len = strlen(m.mountpoint);
		}
	}
	if (path && best.mountpoint) {
		printf("mountpoint=%s\nfstype=%s\nsource=%s\noptions=%s\nsuper=%s\nreadonly=%d\n",
		       best.mountpoint, best.fstype, best.source, best.options, best.super,
		       has_option(best.options, "ro") ? 1 : 0);
	}
	free(info);
	if (path && !best.mountpoint) {
		fprintf(stderr, "cinch-checker: no mount found for %s\n", path);
		return 1;
	}
	return 0;
}
