/* SPDX-License-Identifier: Apache-2.0 */
/* Go durations for `events --interval` (duration.c). */
#ifndef CINCH_CLI_DURATION_H
#define CINCH_CLI_DURATION_H

#include <stdint.h>

#include "cinch/error.h"

/* A Go duration ("5s", "100ms", "1m30s", "1.5h", "0") in nanoseconds. */
int cli_parse_duration(const char *text, int64_t *ret_ns, struct cinch_error *err);

#endif
