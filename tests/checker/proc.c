/* SPDX-License-Identifier: Apache-2.0 */
/* cinch-checker cgroup, exit, sleep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checker.h"

/* "cgroup.<hierarchy-id>=<controllers>:<path>", and "cgroup2=<path>" for
 * the unified hierarchy, which is what most tests want. */
int checker_cgroup(int argc, char **argv)
{
	char *text = checker_read_file("/proc/self/cgroup"), *save = NULL, *line;

	if (!text)
		return checker_fail("/proc/self/cgroup");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		printf("cgroup.%s=%s\n", line, colon + 1);
		if (strcmp(line, "0") == 0 && strncmp(colon + 1, ":", 1) == 0)
			printf("cgroup2=%s\n", colon + 2);
	}
	free(text);
	return 0;
}

int checker_exit(int argc, char **argv)
{
	unsigned long code;

	if (argc != 2 || !checker_parse_ulong(argv[1], &code) || code > 255)
		return checker_usage("usage: exit N (0-255)");
	return (int)code;
}

int checker_sleep(int argc, char **argv)
{
	struct timespec ts;
	char *end;
	double s;

	if (argc != 2)
		return checker_usage("usage: sleep SECONDS");
	s = strtod(argv[1], &end);
	if (end == argv[1] || *end || s < 0)
		return checker_usage("sleep: bad duration \"%s\"", argv[1]);
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0)
		;
	return 0;
}
