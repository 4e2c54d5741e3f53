/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch spec [--rootless] [--bundle DIR]`: writes the hardened default
 * config.json (default_config.c) into the bundle, never over an existing one.
 * --rootless adapts it the way a runtime started by an unprivileged user
 * needs: a user namespace mapping root to the caller, host /sys bound
 * instead of a new sysfs, and no cgroup mount or limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cinch/cleanup.h"
#include "cinch/spec.h"
#include "cli.h"
#include "default_config.h"

static int replace_string(char **slot, const char *value, struct cinch_error *err)
{
	char *copy = strdup(value);

	if (!copy)
		return cinch_error_set(err, ENOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

static int map_to_caller(struct cinch_id_mappings *m, uint32_t host_id, struct cinch_error *err)
{
	m->items = calloc(1, sizeof(*m->items));
	if (!m->items)
		return cinch_error_set(err, ENOMEM, "out of memory");
	m->items[0] = (struct cinch_id_mapping){.container_id = 0, .host_id = host_id, .size = 1};
	m->len = 1;
	m->present = true;
	return 0;
}

static void drop_mount(struct cinch_mounts *mounts, size_t i)
{
	struct cinch_mount *m = &mounts->items[i];

	free(m->destination);
	free(m->type);
	free(m->source);
	cinch_strv_clear(&m->options);
	memmove(m, m + 1, (mounts->len - i - 1) * sizeof(*m));
	mounts->len--;
}

static int make_rootless(struct cinch_spec *spec, struct cinch_error *err)
{
	struct cinch_linux *lx = spec->linux_;
	int r;

	for (size_t i = 0; i < lx->namespaces.len; i++)
		if (lx->namespaces.items[i].type == CINCH_NS_NETWORK)
			lx->namespaces.items[i].type = CINCH_NS_USER;
	r = map_to_caller(&lx->uid_mappings, getuid(), err);
	if (r < 0)
		return r;
	r = map_to_caller(&lx->gid_mappings, getgid(), err);
	if (r < 0)
		return r;
	spec->process->user.uid = 0;
	spec->process->user.gid = 0;

	for (size_t i = spec->mounts.len; i-- > 0;) {
		struct cinch_mount *m = &spec->mounts.items[i];

		if (strcmp(m->type, "cgroup") == 0) {
			drop_mount(&spec->mounts, i);
		} else if (strcmp(m->type, "sysfs") == 0) {
			r = replace_string(&m->type, "none", err);
			if (r == 0)
				r = replace_string(&m->source, "/sys", err);
			if (r == 0)
				r = cinch_strv_append(&m->options, "rbind", err);
			if (r < 0)
				return r;
		}
	}
	cinch_resources_free(lx->resources);
	lx->resources = NULL;
	return 0;
}

static int write_new_file(const char *dir, const char *data, size_t len, struct cinch_error *err)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;

	if (dfd < 0)
		return cinch_error_errno(err, errno, "spec: bundle %s", dir);
	fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == EEXIST)
		return cinch_error_set(err, EEXIST, "spec: %s/config.json exists, remove it first",
				       dir);
	if (fd < 0)
		return cinch_error_errno(err, errno, "spec: create %s/config.json", dir);
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cinch_error_errno(err, errno, "spec: write %s/config.json", dir);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int cli_spec(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	static const struct option options[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, 'r'},
	    {0},
	};
	struct cinch_spec *spec = NULL;
	_cleanup_free_ char *json = NULL;
	const char *bundle = ".";
	bool rootless = false;
	size_t len = 0;
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:", options, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return cinch_error_set(
			    err, EINVAL, "spec: usage: cinch spec [--rootless] [--bundle DIR]");
	}
	r = cli_expect_operands(argc, argv, optind, 0, "cinch spec [--rootless] [--bundle DIR]",
				err);
	if (r < 0)
		return r;

	r = cinch_spec_load_buffer(cli_default_config_json, strlen(cli_default_config_json),
				   "default config", &spec, err);
	if (r < 0)
		return r;
	if (rootless)
		r = make_rootless(spec, err);
	if (r == 0)
		r = cinch_spec_save_buffer(spec, true, &json, &len, err);
	cinch_spec_free(spec);
	if (r < 0)
		return r;
	return write_new_file(bundle, json, len, err);
}
