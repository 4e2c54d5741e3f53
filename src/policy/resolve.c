/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Choosing the effective policy of one container: the host policy, or the
 * level a container asks for through the io.cinch.policy annotation when the
 * host allows it. Never more than the host allows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cinch/cleanup.h"
#include "policy-internal.h"

static void allowed_list(const struct cinch_policy *p, char *buf, size_t size)
{
	buf[0] = '\0';
	for (int l = 0; l < CINCH_POLICY_LEVEL_COUNT; l++)
		if (p->allow_levels[l]) {
			if (buf[0])
				strncat(buf, ", ", size - strlen(buf) - 1);
			strncat(buf, cinch_policy_level_name((enum cinch_policy_level)l),
				size - strlen(buf) - 1);
		}
	if (!buf[0])
		snprintf(buf, size, "none");
}

int cinch_policy_resolve(const struct cinch_policy *host, const struct cinch_map *annotations,
			 struct cinch_policy **ret, struct cinch_error *err)
{
	const char *asked = NULL;
	struct cinch_policy *p = NULL;
	enum cinch_policy_level level;
	char list[128];
	int r;

	for (size_t i = 0; annotations && i < annotations->len; i++)
		if (strcmp(annotations->items[i].key, CINCH_POLICY_ANNOTATION) == 0) {
			if (asked)
				return cinch_error_set(err, EINVAL,
						       "annotation %s: given more than once",
						       CINCH_POLICY_ANNOTATION);
			asked = annotations->items[i].value ? annotations->items[i].value : "";
		}
	if (!asked || strcmp(asked, cinch_policy_level_name(host->level)) == 0)
		return policy_copy(host, ret, err);
	if (cinch_policy_level_from_name(asked, &level) < 0)
		return cinch_error_set(err, EINVAL,
				       "annotation %s: unknown level \"%s\" (privileged, baseline, "
				       "restricted)",
				       CINCH_POLICY_ANNOTATION, asked);
	if (!cinch_policy_allows_level(host, level)) {
		allowed_list(host, list, sizeof(list));
		return cinch_error_set(err, EPERM,
				       "annotation %s: level %s is not allowed by %s (level %s, "
				       "allowLevels: %s)",
				       CINCH_POLICY_ANNOTATION, asked,
				       cinch_policy_get_origin(host),
				       cinch_policy_level_name(host->level), list);
	}
	r = cinch_policy_builtin(level, &p, err);
	if (r < 0)
		return r;
	/* The host keeps its mode, its audit log and what it allows. */
	p->mode = host->mode;
	memcpy(p->allow_levels, host->allow_levels, sizeof(p->allow_levels));
	free(p->audit_log);
	p->audit_log = host->audit_log ? strdup(host->audit_log) : NULL;
	free(p->origin);
	if (asprintf(&p->origin, "%s (annotation %s=%s)", cinch_policy_get_origin(host),
		     CINCH_POLICY_ANNOTATION, asked) < 0)
		p->origin = NULL;
	if ((host->audit_log && !p->audit_log) || !p->origin) {
		cinch_policy_free(p);
		return cinch_error_set(err, ENOMEM, "policy: out of memory");
	}
	*ret = p;
	return 0;
}
