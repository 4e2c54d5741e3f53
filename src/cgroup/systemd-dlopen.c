/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libsystemd, loaded on first use instead of at start-up. Only the systemd
 * cgroup driver (--systemd-cgroup) talks to systemd, yet linking libsystemd
 * made every cinch command map it and the six libraries it needs (gcrypt,
 * lzma, zstd, lz4, gpg-error, cap) and relocate them, twice per `create`
 * (before and after the sealed re-exec): a measurable share of start-up
 * (docs/performance.md). This file defines the sd-bus functions systemd.c
 * calls, each forwarding to the real one found with dlsym() in
 * libsystemd.so.0, opened the first time a function that needs it runs.
 *
 * If the library cannot be loaded, the calls fail with -ENOSYS (opening the
 * bus, so the caller reports "systemd cgroup driver: ..." with the reason);
 * the functions that only release objects are no-ops then, since no object
 * can exist. Variadic entry points forward to libsystemd's va_list variants.
 * Built only into the cinch executable (the unit tests link libsystemd).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>

#include <systemd/sd-bus.h>

#define LIBSYSTEMD "libsystemd.so.0"

static void *lib;
static bool tried; /* cinch is single-threaded: no locking */

/* The real function `name`, or NULL when libsystemd is not available. */
static void *sym(const char *name)
{
	if (!tried) {
		tried = true;
		lib = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
	}
	return lib ? dlsym(lib, name) : NULL;
}

/* Release functions must not load the library: nothing exists to release
 * unless it was loaded already. */
static void *loaded_sym(const char *name)
{
	return lib ? dlsym(lib, name) : NULL;
}

#define FORWARD(ret_type, fallback, name, params, args)                                            \
	ret_type name params                                                                       \
	{                                                                                          \
		ret_type(*fn) params = (ret_type(*) params)sym(#name);                             \
		return fn ? fn args : fallback;                                                    \
	}

FORWARD(int, -ENOSYS, sd_bus_open_system, (sd_bus * *ret), (ret))
FORWARD(int, -ENOSYS, sd_bus_message_new_method_call,
	(sd_bus * bus, sd_bus_message **m, const char *destination, const char *path,
	 const char *interface, const char *member),
	(bus, m, destination, path, interface, member))
FORWARD(int, -ENOSYS, sd_bus_call,
	(sd_bus * bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error,
	 sd_bus_message **reply),
	(bus, m, usec, ret_error, reply))
FORWARD(int, -ENOSYS, sd_bus_match_signal,
	(sd_bus * bus, sd_bus_slot **ret, const char *sender, const char *path,
	 const char *interface, const char *member, sd_bus_message_handler_t callback,
	 void *userdata),
	(bus, ret, sender, path, interface, member, callback, userdata))
FORWARD(int, -ENOSYS, sd_bus_message_append_array,
	(sd_bus_message * m, char type, const void *ptr, size_t size), (m, type, ptr, size))
FORWARD(int, -ENOSYS, sd_bus_message_open_container,
	(sd_bus_message * m, char type, const char *contents), (m, type, contents))
FORWARD(int, -ENOSYS, sd_bus_message_close_container, (sd_bus_message * m), (m))
FORWARD(int, -ENOSYS, sd_bus_process, (sd_bus * bus, sd_bus_message **r), (bus, r))
FORWARD(int, -ENOSYS, sd_bus_wait, (sd_bus * bus, uint64_t timeout_usec), (bus, timeout_usec))

int sd_bus_error_has_name(const sd_bus_error *e, const char *name)
{
	int (*fn)(const sd_bus_error *, const char *) =
	    (int (*)(const sd_bus_error *, const char *))loaded_sym("sd_bus_error_has_name");

	return fn ? fn(e, name) : 0;
}

void sd_bus_error_free(sd_bus_error *e)
{
	void (*fn)(sd_bus_error *) = (void (*)(sd_bus_error *))loaded_sym("sd_bus_error_free");

	if (fn)
		fn(e);
}

sd_bus *sd_bus_flush_close_unref(sd_bus *bus)
{
	sd_bus *(*fn)(sd_bus *) = (sd_bus * (*)(sd_bus *)) loaded_sym("sd_bus_flush_close_unref");

	return fn ? fn(bus) : NULL;
}

sd_bus_message *sd_bus_message_unref(sd_bus_message *m)
{
	sd_bus_message *(*fn)(sd_bus_message *) =
	    (sd_bus_message * (*)(sd_bus_message *)) loaded_sym("sd_bus_message_unref");

	return fn ? fn(m) : NULL;
}

sd_bus_slot *sd_bus_slot_unref(sd_bus_slot *slot)
{
	sd_bus_slot *(*fn)(sd_bus_slot *) =
	    (sd_bus_slot * (*)(sd_bus_slot *)) loaded_sym("sd_bus_slot_unref");

	return fn ? fn(slot) : NULL;
}

int sd_bus_message_append(sd_bus_message *m, const char *types, ...)
{
	int (*fn)(sd_bus_message *, const char *, va_list) =
	    (int (*)(sd_bus_message *, const char *, va_list))sym("sd_bus_message_appendv");
	va_list ap;
	int r;

	if (!fn)
		return -ENOSYS;
	va_start(ap, types);
	r = fn(m, types, ap);
	va_end(ap);
	return r;
}

int sd_bus_message_read(sd_bus_message *m, const char *types, ...)
{
	int (*fn)(sd_bus_message *, const char *, va_list) =
	    (int (*)(sd_bus_message *, const char *, va_list))sym("sd_bus_message_readv");
	va_list ap;
	int r;

	if (!fn)
		return -ENOSYS;
	va_start(ap, types);
	r = fn(m, types, ap);
	va_end(ap);
	return r;
}

int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path,
		       const char *interface, const char *member, sd_bus_error *ret_error,
		       sd_bus_message **reply, const char *types, ...)
{
	int (*fn)(sd_bus *, const char *, const char *, const char *, const char *, sd_bus_error *,
		  sd_bus_message **, const char *, va_list) =
	    (int (*)(sd_bus *, const char *, const char *, const char *, const char *,
		     sd_bus_error *, sd_bus_message **, const char *,
		     va_list))sym("sd_bus_call_methodv");
	va_list ap;
	int r;

	if (!fn)
		return -ENOSYS;
	va_start(ap, types);
	r = fn(bus, destination, path, interface, member, ret_error, reply, types, ap);
	va_end(ap);
	return r;
}
