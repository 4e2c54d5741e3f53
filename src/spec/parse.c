/* SPDX-License-Identifier: Apache-2.0 */
/*
 * From bytes to a yajl tree, with the limits enforced first. yajl_tree_parse
 * needs a NUL-terminated string (an embedded NUL would silently end the
 * document), enables comments, and both building and freeing its tree
 * recurse, so a pre-scan rejects: documents over 16 MiB, NUL bytes, comments,
 * "\u0000" escapes (a C string would be cut there: "/etc/x\u0000y" must not
 * become "/etc/x"), nesting deeper than 64 and more than 1 Mi values. yajl
 * itself checks the grammar and UTF-8; its multi-line error text is cut to
 * its first line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "spec-internal.h"

struct scan_pos {
	size_t offset;
	size_t line;
	size_t column;
};

static int scan_fail(const char *origin, const struct scan_pos *pos, struct cinch_error *err,
		     const char *what)
{
	return cinch_error_set(err, EINVAL, "%s: invalid JSON: %s at line %zu, column %zu", origin,
			       what, pos->line, pos->column);
}

static int prescan(const char *buf, size_t len, const char *origin, struct cinch_error *err)
{
	struct scan_pos pos = {.line = 1, .column = 1};
	bool in_string = false, escaped = false, any = false;
	size_t depth = 0, values = 1;

	for (pos.offset = 0; pos.offset < len; pos.offset++, pos.column++) {
		char c = buf[pos.offset];

		if (c == '\0')
			return scan_fail(origin, &pos, err, "NUL byte");
		if (c == '\n') {
			pos.line++;
			pos.column = 0;
		}
		if (in_string) {
			if (escaped) {
				escaped = false;
				if (c == 'u' && len - pos.offset > 4 &&
				    memcmp(buf + pos.offset + 1, "0000", 4) == 0)
					return scan_fail(origin, &pos, err,
							 "\\u0000 in a string is not supported");
			} else if (c == '\\') {
				escaped = true;
			} else if (c == '"') {
				in_string = false;
			}
			continue;
		}
		switch (c) {
		case '"':
			in_string = true;
			any = true;
			break;
		case '{':
		case '[':
			any = true;
			if (++depth > SPEC_MAX_DEPTH)
				return cinch_error_set(err, EINVAL,
						       "%s: invalid JSON: nesting deeper than %d "
						       "levels at line %zu, column %zu",
						       origin, SPEC_MAX_DEPTH, pos.line,
						       pos.column);
			values++;
			break;
		case '}':
		case ']':
			/* Unbalanced closers are yajl's to report. */
			if (depth)
				depth--;
			break;
		case ',':
			if (++values > SPEC_MAX_VALUES)
				return cinch_error_set(err, E2BIG,
						       "%s: invalid JSON: more than %u values",
						       origin, SPEC_MAX_VALUES);
			break;
		case '/':
			return scan_fail(origin, &pos, err, "comments are not allowed");
		case ' ':
		case '\t':
		case '\r':
		case '\n':
			break;
		default:
			any = true;
			break;
		}
	}
	if (!any)
		return cinch_error_set(err, EINVAL, "%s: invalid JSON: empty document", origin);
	return 0;
}

/* yajl's message is "parse error: ...\n   <context>\n   (right here) ---^". */
static void first_line(char *text)
{
	size_t n = strcspn(text, "\r\n");

	text[n] = '\0';
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '.'))
		text[--n] = '\0';
}

int spec_parse_document(const char *buf, size_t len, const char *origin, struct yajl_val_s **ret,
			struct cinch_error *err)
{
	_cleanup_free_ char *copy = NULL;
	char errbuf[1024];
	yajl_val tree;
	int r;

	if (len > SPEC_MAX_DOCUMENT_BYTES)
		return cinch_error_set(err, EFBIG, "%s: document too large (%zu bytes, limit %u)",
				       origin, len, SPEC_MAX_DOCUMENT_BYTES);
	r = prescan(buf, len, origin, err);
	if (r < 0)
		return r;
	copy = malloc(len + 1);
	if (!copy)
		return cinch_error_set(err, ENOMEM, "%s: out of memory", origin);
	memcpy(copy, buf, len);
	copy[len] = '\0';

	errbuf[0] = '\0';
	tree = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	if (!tree) {
		errbuf[sizeof(errbuf) - 1] = '\0';
		first_line(errbuf);
		return cinch_error_set(err, EINVAL, "%s: invalid JSON: %s", origin,
				       errbuf[0] ? errbuf : "parse error");
	}
	*ret = tree;
	return 0;
}

int spec_read_file(const char *path, char **ret, size_t *ret_len, struct cinch_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap;
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cinch_error_errno(err, errno, "%s: open", path);
	if (fstat(fd, &st) < 0)
		return cinch_error_errno(err, errno, "%s: stat", path);
	if (!S_ISREG(st.st_mode))
		return cinch_error_set(err, EINVAL, "%s: not a regular file", path);
	if (st.st_size > (off_t)SPEC_MAX_DOCUMENT_BYTES)
		return cinch_error_set(err, EFBIG, "%s: document too large (%lld bytes, limit %u)",
				       path, (long long)st.st_size, SPEC_MAX_DOCUMENT_BYTES);
	/* The size is a hint only: the file may grow while we read it. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf)
		return cinch_error_set(err, ENOMEM, "%s: out of memory", path);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *bigger;

			if (cap > SPEC_MAX_DOCUMENT_BYTES)
				return cinch_error_set(err, EFBIG,
						       "%s: document too large (limit %u bytes)",
						       path, SPEC_MAX_DOCUMENT_BYTES);
			cap *= 2;
			bigger = realloc(buf, cap);
			if (!bigger)
				return cinch_error_set(err, ENOMEM, "%s: out of memory", path);
			buf = bigger;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cinch_error_errno(err, errno, "%s: read", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret = steal_pointer(&buf);
	*ret_len = len;
	return 0;
}
