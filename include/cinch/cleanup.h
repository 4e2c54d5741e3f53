/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound release of resources. Ownership leaves a scope only through
 * steal_pointer()/steal_fd(), so every early return is leak-free.
 */
#ifndef CINCH_CLEANUP_H
#define CINCH_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cleanup_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* A NULL-terminated array of heap strings. */
static inline void cleanup_strvp(char ***v)
{
	if (*v) {
		for (char **s = *v; *s; s++)
			free(*s);
		free(*v);
	}
}

#define _cleanup_free_	   __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_	   __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_   __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))
#define _cleanup_strv_	   __attribute__((cleanup(cleanup_strvp)))

#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) stolen_ = *(pp);                                                 \
		*(pp) = NULL;                                                                      \
		stolen_;                                                                           \
	})

#define steal_fd(fdp)                                                                              \
	({                                                                                         \
		int stolen_fd_ = *(fdp);                                                           \
		*(fdp) = -1;                                                                       \
		stolen_fd_;                                                                        \
	})

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

#endif
