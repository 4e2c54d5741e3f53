/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runtime log in runc's shapes. With --log-format json every line of the
 * --log file is {"level":..,"msg":..,"time":..}; containerd shows the user the
 * last "level":"error" line, so the error that ends a command is written last.
 * Without --log, messages go to stderr as "cinch: <message>".
 */
#ifndef CINCH_LOG_H
#define CINCH_LOG_H

#include <stdbool.h>

#include "cinch/error.h"

enum cinch_log_level {
	CINCH_LOG_DEBUG,
	CINCH_LOG_INFO,
	CINCH_LOG_WARNING,
	CINCH_LOG_ERROR,
};

enum cinch_log_format {
	CINCH_LOG_TEXT,
	CINCH_LOG_JSON,
};

/* path may be NULL (stderr only). The file is opened O_APPEND|O_CLOEXEC. */
int cinch_log_open(const char *path, enum cinch_log_format format, bool debug,
		   struct cinch_error *err);
void cinch_log_close(void);

void cinch_log(enum cinch_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The error that ends a command: last "error" line in the log file, and
 * "cinch: <msg>" on stderr (runc also prints it there). */
void cinch_log_fatal_error(const struct cinch_error *err);

#define log_debug(...)	 cinch_log(CINCH_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	 cinch_log(CINCH_LOG_INFO, __VA_ARGS__)
#define log_warning(...) cinch_log(CINCH_LOG_WARNING, __VA_ARGS__)
#define log_error(...)	 cinch_log(CINCH_LOG_ERROR, __VA_ARGS__)

#endif
