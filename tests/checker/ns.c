/* SPDX-License-Identifier: Apache-2.0 */
/* cinch-checker ns: the inode of every namespace the process is in, so a
 * test can compare a container's namespaces with the host's or another's. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "checker.h"

int checker_ns(int argc, char **argv)
{
	DIR *d = opendir("/proc/self/ns");
	struct dirent *e;

	if (!d)
		return checker_fail("/proc/self/ns");
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, 0) == 0)
			printf("%s=%lu\n", e->d_name, (unsigned long)st.st_ino);
		else
			printf("%s=error\n", e->d_name);
	}
	closedir(d);
	return 0;
}
