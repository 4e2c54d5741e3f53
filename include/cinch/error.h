/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one error convention of cinch: a fallible function returns an int
 * (>= 0 success, a negative errno on failure) and fills a struct cinch_error
 * with one line that names the object (field path, file, container id).
 * Only the CLI prints it. The struct is fixed-size so it can cross the sync
 * socket between cinch and a container's init unchanged.
 */
#ifndef CINCH_ERROR_H
#define CINCH_ERROR_H

#include <stdarg.h>

#define CINCH_ERROR_MSG_MAX 4096

struct cinch_error {
	int code; /* positive errno; 0 means "no error recorded" */
	char msg[CINCH_ERROR_MSG_MAX];
};

/* Records code and a formatted message; returns -code (-EINVAL when code is 0). */
int cinch_error_set(struct cinch_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As cinch_error_set, and appends ": <strerror(code)>". */
int cinch_error_errno(struct cinch_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "<context>: " in front of the message already recorded; returns -code. */
int cinch_error_prefix(struct cinch_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void cinch_error_clear(struct cinch_error *err);

#endif
