/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing policy output to files: the report saved in a container's state
 * dir (atomic: temp file + rename, 0600) and the audit log (JSON lines,
 * created 0600, O_APPEND only, one write(2) per line).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cinch/fdio.h"
#include "cinch/cleanup.h"
#include "policy-internal.h"

int cinch_policy_report_save_json(const struct cinch_policy_report *report, const char *path,
				  struct cinch_error *err)
{
	_cleanup_free_ char *json = NULL;
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	r = cinch_policy_report_to_json(report, true, &json, &len, err);
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		return cinch_error_set(err, ENOMEM, "%s: out of memory", path);
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cinch_error_errno(err, errno, "%s: create temporary file", path);
	/* mkostemp creates 0600 already; be explicit about it. */
	r = fchmod(fd, 0600) < 0 ? -errno : 0;
	/* No fsync: the rename is what readers need (old report or new, never
	 * half), and the state dir does not outlive a crash in any useful way
	 * (it is on tmpfs by default; runc's state is not synced either). */
	if (r == 0)
		r = cinch_write_all(fd, json, len);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return cinch_error_errno(err, -r, "%s: write policy report", path);
	}
	return 0;
}

static int make_log_dir(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return -ENOENT;
	*slash = '\0';
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int cinch_policy_audit_log_write(const struct cinch_policy *policy, const char *container_id,
				 const char *event, const struct cinch_policy_report *report,
				 struct cinch_error *err)
{
	const char *path = cinch_policy_get_audit_log(policy);
	_cleanup_free_ char *line = NULL;
	_cleanup_close_ int fd = -1;
	char now[64];
	struct timespec ts;
	struct tm tm;
	size_t len;
	int r;

	if (!path)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	r = report_generate(report, false, true, container_id ? container_id : "",
			    event ? event : "", now, &line, &len);
	if (r < 0)
		return cinch_error_set(err, -r, "audit log %s: cannot render the record", path);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 && errno == ENOENT) {
		/* First record on this host: create the log's own directory
		 * (one level, root-only), never a whole missing tree. */
		r = make_log_dir(path);
		if (r < 0)
			return cinch_error_errno(err, -r, "audit log %s: create directory", path);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			  0600);
	}
	if (fd < 0)
		return cinch_error_errno(err, errno, "audit log %s: open", path);
	/* One write: O_APPEND makes it land whole at the end even with other writers. */
	r = cinch_write_all(fd, line, len);
	if (r < 0)
		return cinch_error_errno(err, -r, "audit log %s: write", path);
	return 0;
}
