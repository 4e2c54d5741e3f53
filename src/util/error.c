/* SPDX-License-Identifier: Apache-2.0 */
/* Filling struct cinch_error: the only place error text is composed. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cinch/error.h"

static int error_code(int code)
{
	return code > 0 ? code : EINVAL;
}

int cinch_error_set(struct cinch_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = error_code(code);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -err->code;
}

int cinch_error_errno(struct cinch_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	err->code = error_code(code);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(err->code));
	/* Lower case, as Go (runc) spells errno: engines match phrases such as
	 * "no such file or directory" or "permission denied" case-sensitively
	 * to pick exit codes 127 and 126. */
	if (len + 2 < sizeof(err->msg))
		err->msg[len + 2] = (char)tolower((unsigned char)err->msg[len + 2]);
	return -err->code;
}

int cinch_error_prefix(struct cinch_error *err, const char *fmt, ...)
{
	char prefix[CINCH_ERROR_MSG_MAX];
	char old[CINCH_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* A message too long for the buffer is cut, never overflowed. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
		err->msg[sizeof(err->msg) - 1] = '\0';
	err->code = error_code(err->code);
	return -err->code;
}

void cinch_error_clear(struct cinch_error *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}
