/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON paths in error messages: ".mounts[3].destination",
 * ".annotations[\"k\"]". The path lives in a fixed buffer; a path too long
 * for it ends in "..." rather than failing, because it only feeds a message.
 * Map keys come from untrusted documents, so they are escaped and cut short
 * to keep every message on one line.
 */
#include <stdio.h>
#include <string.h>

#include "spec-internal.h"

#define KEY_SHOWN_MAX 64

static void path_append(struct spec_path *p, const char *text)
{
	size_t n = strlen(text);
	size_t room = sizeof(p->buf) - 1 - p->len;

	if (n <= room) {
		memcpy(p->buf + p->len, text, n);
		p->len += n;
	} else {
		/* Keep room for the ellipsis so the reader sees the cut. */
		const char *dots = "...";
		size_t keep = room >= 3 ? room - 3 : 0;

		memcpy(p->buf + p->len, text, keep);
		p->len += keep;
		memcpy(p->buf + p->len, dots, sizeof(p->buf) - 1 - p->len);
		p->len = sizeof(p->buf) - 1;
	}
	p->buf[p->len] = '\0';
}

size_t spec_path_push_field(struct spec_path *p, const char *name)
{
	size_t old = p->len;

	path_append(p, ".");
	path_append(p, name);
	return old;
}

/* Called for every array element the parser, the saver and the policy visit
 * (hundreds per seccomp profile): formatted by hand, snprintf() was a
 * measurable share of `create` (docs/performance.md). */
size_t spec_path_push_index(struct spec_path *p, size_t index)
{
	char tmp[32], *end = tmp + sizeof(tmp) - 1, *s = end;
	size_t old = p->len;

	*s = '\0';
	*--s = ']';
	do {
		*--s = (char)('0' + index % 10);
		index /= 10;
	} while (index);
	*--s = '[';
	path_append(p, s);
	return old;
}

size_t spec_path_push_key(struct spec_path *p, const char *key)
{
	char quoted[KEY_SHOWN_MAX * 6 + 16];
	char tmp[sizeof(quoted) + 4];
	size_t old = p->len;

	spec_quote(quoted, sizeof(quoted), key, KEY_SHOWN_MAX);
	snprintf(tmp, sizeof(tmp), "[%s]", quoted);
	path_append(p, tmp);
	return old;
}

void spec_path_restore(struct spec_path *p, size_t len)
{
	p->len = len;
	p->buf[len] = '\0';
}

const char *spec_path_str(const struct spec_path *p)
{
	return p->len ? p->buf : ".";
}

void spec_quote(char *out, size_t out_size, const char *s, size_t max)
{
	size_t o = 0, i;

	/* Worst case per input byte is 6 output bytes ("\u001f"). */
	if (out_size < 3) {
		if (out_size)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (i = 0; s[i] && i < max && o + 8 < out_size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, out_size - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	if (s[i]) {
		/* Do not leave half a UTF-8 sequence before the ellipsis. */
		while (o > 1 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
			o--;
		if (o > 1 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
			o--;
	}
	if (s[i] && o + 4 < out_size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
}
