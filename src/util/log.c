/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime log: --log file in text or json lines, and stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cinch/fdio.h"
#include "cinch/log.h"

static int log_fd = -1;
static enum cinch_log_format log_format = CINCH_LOG_TEXT;
static bool log_debug_enabled;

static const char *const level_names[] = {
    [CINCH_LOG_DEBUG] = "debug",
    [CINCH_LOG_INFO] = "info",
    [CINCH_LOG_WARNING] = "warning",
    [CINCH_LOG_ERROR] = "error",
};

int cinch_log_open(const char *path, enum cinch_log_format format, bool debug,
		   struct cinch_error *err)
{
	log_format = format;
	log_debug_enabled = debug;
	if (!path)
		return 0;
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	if (log_fd < 0)
		return cinch_error_errno(err, errno, "open log file %s", path);
	return 0;
}

void cinch_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

static void format_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* JSON string escaping for the msg field; control bytes become \u00XX. */
static size_t json_escape(char *out, size_t cap, const char *in)
{
	size_t o = 0;

	for (; *in && o + 7 < cap; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

static void emit(enum cinch_log_level level, const char *msg)
{
	char line[2 * CINCH_ERROR_MSG_MAX + 256];
	char escaped[2 * CINCH_ERROR_MSG_MAX];
	char when[64];
	int len;

	if (log_fd < 0)
		return;
	format_time(when, sizeof(when));
	json_escape(escaped, sizeof(escaped), msg);
	if (log_format == CINCH_LOG_JSON)
		len = snprintf(line, sizeof(line),
			       "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
			       level_names[level], escaped, when);
	else
		len = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", when,
			       level_names[level], escaped);
	if (len > 0)
		(void)cinch_write_all(log_fd, line,
				      (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
}

void cinch_log(enum cinch_log_level level, const char *fmt, ...)
{
	char msg[CINCH_ERROR_MSG_MAX];
	va_list ap;

	if (level == CINCH_LOG_DEBUG && !log_debug_enabled)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_fd >= 0)
		emit(level, msg);
	else if (level >= CINCH_LOG_WARNING || log_debug_enabled)
		fprintf(stderr, "cinch: %s%s\n", level == CINCH_LOG_WARNING ? "warning: " : "",
			msg);
}

void cinch_log_fatal_error(const struct cinch_error *err)
{
	const char *msg = err->msg[0] ? err->msg : strerror(err->code ? err->code : EINVAL);
	char named[CINCH_ERROR_MSG_MAX + 8];

	/* Engines quote the last error line as the whole reason ("OCI runtime
	 * create failed: <msg>"): it names cinch, as runc's names runc. */
	snprintf(named, sizeof(named), "cinch: %s", msg);
	emit(CINCH_LOG_ERROR, named);
	fprintf(stderr, "%s\n", named);
}
