/* SPDX-License-Identifier: Apache-2.0 */
/* cinch-checker writable, open, fds: what the process can reach through
 * the filesystem and which descriptors it inherited (a leaked host fd is
 * the CVE-2024-21626 class). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker.h"

int checker_writable(int argc, char **argv)
{
	char probe[PATH_MAX];
	struct stat st = {0};
	int fd;

	if (argc != 2)
		return checker_usage("usage: writable PATH");
	if (stat(argv[1], &st) == 0 && !S_ISDIR(st.st_mode)) {
		/* An existing file: can it be opened for writing (no truncation)? */
		fd = open(argv[1], O_WRONLY | O_CLOEXEC | O_NOCTTY);
		printf("writable=%d\nerrno=%d\n", fd >= 0, fd >= 0 ? 0 : errno);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		snprintf(probe, sizeof(probe), "%s/.cinch-checker-%d", argv[1], (int)getpid());
	else
		snprintf(probe, sizeof(probe), "%s", argv[1]);
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		printf("writable=0\nerrno=%d\n", errno);
		return 0;
	}
	close(fd);
	unlink(probe);
	printf("writable=1\nerrno=0\n");
	return 0;
}

int checker_open(int argc, char **argv)
{
	int flags = O_RDONLY, fd;

	if (argc < 2 || argc > 3)
		return checker_usage("usage: open PATH [r|w]");
	if (argc == 3) {
		if (strcmp(argv[2], "w") == 0)
			flags = O_WRONLY;
		else if (strcmp(argv[2], "r") != 0)
			return checker_usage("open: mode must be r or w");
	}
	fd = open(argv[1], flags | O_CLOEXEC | O_NOCTTY);
	printf("errno=%d\n", fd < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	return 0;
}

int checker_fds(int argc, char **argv)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return checker_fail("/proc/self/fd");
	while ((e = readdir(d))) {
		char target[PATH_MAX];
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf("fd.%s=%s\n", e->d_name, target);
	}
	closedir(d);
	return 0;
}
