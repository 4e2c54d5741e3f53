/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safe path resolution inside an untrusted directory tree (a container's
 * rootfs). Every lookup goes through openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) relative to an fd of the tree's root, so symlinks
 * and ".." are resolved as if that fd were "/": nothing here ever reaches a
 * file outside the tree. Creation happens relative to an already resolved
 * parent fd with O_NOFOLLOW/O_EXCL, so a symlink planted as the last
 * component is never followed.
 */
#ifndef CINCH_PATH_H
#define CINCH_PATH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cinch/error.h"

/*
 * openat2(root_fd, path, flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
 * | extra_resolve). O_CLOEXEC is always added. Returns the fd, or a negative
 * errno (-ENOENT is reported so callers can skip missing paths).
 */
int cinch_path_open_in_root(int root_fd, const char *path, int flags, mode_t mode,
			    uint64_t extra_resolve, struct cinch_error *err);

/* mkdir -p of path inside the root; returns an O_PATH|O_DIRECTORY fd of it. */
int cinch_path_mkdir_in_root(int root_fd, const char *path, mode_t mode, struct cinch_error *err);

/*
 * Resolves (creating with mkdir -p) the parent directory of path inside the
 * root and returns its O_PATH fd; *ret_name receives a copy of the last
 * component (never "", "." or "..").
 */
int cinch_path_open_parent_in_root(int root_fd, const char *path, char **ret_name,
				   struct cinch_error *err);

/*
 * Returns an O_PATH fd of path inside the root, creating an empty regular
 * file (and its parents) when nothing is there. An existing entry is returned
 * as resolved (the caller checks its type). A dangling symlink as the last
 * component is refused (-ELOOP), never followed.
 */
int cinch_path_mkfile_in_root(int root_fd, const char *path, mode_t mode, struct cinch_error *err);

/*
 * Lexically cleans an absolute path: collapses "//", drops ".", resolves ".."
 * against the path itself (never above "/"). A relative input is taken as
 * relative to "/". Returns a heap string in *ret.
 */
int cinch_path_clean(const char *path, char **ret, struct cinch_error *err);

/* True when path equals prefix or lies below it (both cleaned, absolute). */
bool cinch_path_has_prefix(const char *path, const char *prefix);

/* Undoes, in place, mountinfo's \ooo escapes (space, tab, newline and
 * backslash in its path fields); other backslashes are kept. */
void cinch_path_unescape_mountinfo(char *s);

/*
 * The path of fd as seen from the root whose host path is root_path (both
 * via /proc/self/fd); "/" for the root itself. -EXDEV when fd is not below
 * root_path.
 */
int cinch_path_fd_in_root(int fd, const char *root_path, char **ret, struct cinch_error *err);

#endif
