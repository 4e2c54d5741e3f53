/* SPDX-License-Identifier: Apache-2.0 */
/* Go's time.ParseDuration syntax, which runc's `events --interval` takes. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int cli_parse_duration(const char *text, int64_t *ret_ns, struct cinch_error *err)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
	    {"ns", 1},	 {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
	    {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},	  {"h", 3600e9},
	};
	const char *p = text;
	double total = 0;

	if (*p == '+')
		p++;
	if (strcmp(p, "0") == 0) {
		*ret_ns = 0;
		return 0;
	}
	if (!*p)
		goto bad;
	while (*p) {
		const char *start = p;
		size_t k;
		double v;
		char *end;

		while (isdigit((unsigned char)*p))
			p++;
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (p == start || (p == start + 1 && *start == '.'))
			goto bad;
		v = strtod(start, &end);
		if (end != p)
			goto bad;
		/* multi-letter units come first in the table: "ms" is not "m" */
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strncmp(p, units[k].unit, strlen(units[k].unit)) == 0)
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			goto bad;
		total += v * units[k].ns;
		p += strlen(units[k].unit);
	}
	if (!isfinite(total) || total > 9.2e18)
		goto bad;
	*ret_ns = (int64_t)total;
	return 0;
bad:
	return cinch_error_set(err, EINVAL, "invalid value \"%s\" for flag --interval: parse error",
			       text);
}
