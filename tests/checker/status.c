/* SPDX-License-Identifier: Apache-2.0 */
/* cinch-checker status: identity, capability sets, NoNewPrivs, seccomp mode,
 * hostname, domainname, cwd, oom_score_adj. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "checker.h"

/* Fields of /proc/self/status printed as they are (value trimmed). */
static const char *const status_keys[] = {
    "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters",
};

static void print_status_fields(const char *status)
{
	for (size_t i = 0; i < sizeof(status_keys) / sizeof(status_keys[0]); i++) {
		size_t klen = strlen(status_keys[i]);

		for (const char *line = status; line && *line;) {
			const char *eol = strchr(line, '\n');
			size_t len = eol ? (size_t)(eol - line) : strlen(line);

			if (len > klen && strncmp(line, status_keys[i], klen) == 0 &&
			    line[klen] == ':') {
				const char *v = line + klen + 1;

				while (v < line + len && (*v == '\t' || *v == ' '))
					v++;
				printf("%s=%.*s\n", status_keys[i], (int)(line + len - v), v);
			}
			line = eol ? eol + 1 : NULL;
		}
	}
}

static void print_groups(void)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	printf("groups=");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	printf("\n");
}

int checker_status(int argc, char **argv)
{
	struct utsname uts;
	char cwd[PATH_MAX];
	char *status, *oom;

	printf("uid=%u\ngid=%u\neuid=%u\negid=%u\n", (unsigned)getuid(), (unsigned)getgid(),
	       (unsigned)geteuid(), (unsigned)getegid());
	print_groups();
	status = checker_read_file("/proc/self/status");
	if (!status)
		return checker_fail("/proc/self/status");
	print_status_fields(status);
	free(status);
	if (uname(&uts) == 0)
		printf("hostname=%s\ndomainname=%s\n", uts.nodename, uts.domainname);
	printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "");
	oom = checker_read_file("/proc/self/oom_score_adj");
	if (oom) {
		oom[strcspn(oom, "\n")] = '\0';
		printf("oom_score_adj=%s\n", oom);
		free(oom);
	}
	return 0;
}
