/* SPDX-License-Identifier: Apache-2.0 */
/* Sending a message with a file descriptor attached (SCM_RIGHTS). */
#ifndef CINCH_FDPASS_H
#define CINCH_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* One sendmsg of `len` bytes with `fd` attached (none when fd < 0), retried
 * on EINTR, without SIGPIPE. Returns the bytes sent or -errno. */
ssize_t cinch_send_with_fd(int sock, const void *data, size_t len, int fd);

#endif
