/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-buffer reads and writes on a file descriptor, retried on EINTR. */
#ifndef CINCH_FDIO_H
#define CINCH_FDIO_H

#include <stddef.h>

/* Writes all of buf; 0 or -errno (-EIO if write makes no progress). */
int cinch_write_all(int fd, const void *buf, size_t len);

/* Reads to end of file into a NUL-terminated malloc'd buffer (*ret_len
 * may be NULL). More than `max` bytes: -EFBIG. 0 or -errno. */
int cinch_read_all(int fd, size_t max, char **ret, size_t *ret_len);

#endif
