/* SPDX-License-Identifier: Apache-2.0 */
/*
 * no_new_privs: after this, execve can never grant privileges (setuid
 * bits, file capabilities), and seccomp filters can be installed without
 * CAP_SYS_ADMIN. It cannot be undone, which is the point.
 */
#include <errno.h>
#include <sys/prctl.h>

#include "cinch/security.h"

int cinch_no_new_privs_apply(struct cinch_error *err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return cinch_error_errno(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}
