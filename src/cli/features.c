/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cinch features`: the runtime-spec "features" document. containerd and
 * dockerd read it (rro for recursive read-only mounts, idmap for user
 * namespaces), so it must state only what cinch really does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <seccomp.h>
#include <yajl/yajl_gen.h>

#include "cinch-config.h"
#include "cinch-version.h"
#include "cinch/cleanup.h"
#include "cinch/policy.h"
#include "cinch/security.h"
#include "cinch/spec.h"
#include "cli.h"
#include "feature_lists.h"

const char *const cli_features_mount_options[] = {
    "async",
    "atime",
    "bind",
    "defaults",
    "dev",
    "diratime",
    "dirsync",
    "exec",
    "idmap",
    "lazytime",
    "mand",
    "noatime",
    "nodev",
    "nodiratime",
    "noexec",
    "nolazytime",
    "nomand",
    "norelatime",
    "nostrictatime",
    "nosuid",
    "nosymfollow",
    "private",
    "ratime",
    "rbind",
    "rdev",
    "rdiratime",
    "relatime",
    "remount",
    "ridmap",
    "rnoatime",
    "rnodev",
    "rnodiratime",
    "rnoexec",
    "rnorelatime",
    "rnostrictatime",
    "rnosuid",
    "rnosymfollow",
    "ro",
    "rprivate",
    "rrelatime",
    "rro",
    "rrw",
    "rshared",
    "rslave",
    "rstrictatime",
    "rsuid",
    "rsymfollow",
    "runbindable",
    "rw",
    "shared",
    "silent",
    "slave",
    "strictatime",
    "suid",
    "symfollow",
    "sync",
    "tmpcopyup",
    "unbindable",
    NULL,
};

const char *const cli_features_seccomp_actions[] = {
    "SCMP_ACT_ALLOW",	    "SCMP_ACT_ERRNO",
    "SCMP_ACT_KILL",	    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",	    "SCMP_ACT_TRACE",
    "SCMP_ACT_TRAP",	    NULL,
};

const char *const cli_features_seccomp_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE",	 "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL,
};

const char *const cli_features_seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",	   "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",	  "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	  "SCMP_ARCH_PPC64LE",	   "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",	  "SCMP_ARCH_S390X",	   "SCMP_ARCH_X32",
    "SCMP_ARCH_X86",	  "SCMP_ARCH_X86_64",	   NULL,
};

const char *const cli_features_seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

static void gen_str(yajl_gen gen, const char *s)
{
	yajl_gen_string(gen, (const unsigned char *)s, strlen(s));
}

static void gen_strv(yajl_gen gen, const char *key, const char *const *items)
{
	gen_str(gen, key);
	yajl_gen_array_open(gen);
	for (; *items; items++)
		gen_str(gen, *items);
	yajl_gen_array_close(gen);
}

static void gen_enabled(yajl_gen gen, const char *key, bool enabled)
{
	gen_str(gen, key);
	yajl_gen_map_open(gen);
	gen_str(gen, "enabled");
	yajl_gen_bool(gen, enabled);
	yajl_gen_map_close(gen);
}

static void gen_hooks(yajl_gen gen)
{
	gen_str(gen, "hooks");
	yajl_gen_array_open(gen);
	for (int k = 0; k < CINCH_HOOK_KIND_COUNT; k++)
		gen_str(gen, cinch_hook_kind_name((enum cinch_hook_kind)k));
	yajl_gen_array_close(gen);
}

static void gen_capabilities(yajl_gen gen)
{
	gen_str(gen, "capabilities");
	yajl_gen_array_open(gen);
	for (int cap = 0; cap <= cinch_cap_max_known(); cap++) {
		const char *name = cinch_cap_name(cap);

		if (name)
			gen_str(gen, name);
	}
	yajl_gen_array_close(gen);
}

static void gen_linux(yajl_gen gen)
{
	gen_str(gen, "linux");
	yajl_gen_map_open(gen);

	gen_str(gen, "namespaces");
	yajl_gen_array_open(gen);
	for (int t = 0; t < CINCH_NS_TYPE_COUNT; t++)
		gen_str(gen, cinch_ns_type_name((enum cinch_ns_type)t));
	yajl_gen_array_close(gen);
	gen_capabilities(gen);

	gen_str(gen, "cgroup");
	yajl_gen_map_open(gen);
	gen_str(gen, "v1");
	yajl_gen_bool(gen, 1);
	gen_str(gen, "v2");
	yajl_gen_bool(gen, 1);
	gen_str(gen, "systemd");
	yajl_gen_bool(gen, 1);
	gen_str(gen, "systemdUser");
	yajl_gen_bool(gen, 0);
	gen_str(gen, "rdma");
	yajl_gen_bool(gen, 0);
	yajl_gen_map_close(gen);

	gen_str(gen, "seccomp");
	yajl_gen_map_open(gen);
	gen_str(gen, "enabled");
	yajl_gen_bool(gen, 1);
	gen_strv(gen, "actions", cli_features_seccomp_actions);
	gen_strv(gen, "operators", cli_features_seccomp_operators);
	gen_strv(gen, "archs", cli_features_seccomp_archs);
	gen_strv(gen, "knownFlags", cli_features_seccomp_flags);
	gen_strv(gen, "supportedFlags", cli_features_seccomp_flags);
	yajl_gen_map_close(gen);

	gen_enabled(gen, "apparmor", true);
	gen_enabled(gen, "selinux", true);
	gen_enabled(gen, "intelRdt", false);
	gen_str(gen, "mountExtensions");
	yajl_gen_map_open(gen);
	gen_enabled(gen, "idmap", true);
	yajl_gen_map_close(gen);
	yajl_gen_map_close(gen);
}

static void gen_annotations(yajl_gen gen)
{
	const struct scmp_version *v = seccomp_version();
	char libseccomp[32];

	snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v->major, v->minor, v->micro);
	gen_str(gen, "annotations");
	yajl_gen_map_open(gen);
	gen_str(gen, "io.cinch.version");
	gen_str(gen, CINCH_VERSION);
	gen_str(gen, "io.cinch.commit");
	gen_str(gen, CINCH_GIT_COMMIT);
	gen_str(gen, "io.github.seccomp.libseccomp.version");
	gen_str(gen, libseccomp);
	yajl_gen_map_close(gen);

	/* A container can ask for another policy level with this annotation;
	 * the host policy decides whether it is honoured. */
	gen_str(gen, "potentiallyUnsafeConfigAnnotations");
	yajl_gen_array_open(gen);
	gen_str(gen, CINCH_POLICY_ANNOTATION);
	yajl_gen_array_close(gen);
}

int cli_features(const struct cli_globals *g, int argc, char **argv, struct cinch_error *err)
{
	yajl_gen gen;
	const unsigned char *buf;
	size_t len;

	if (argc != 1)
		return cinch_error_set(err, EINVAL, "features: takes no arguments");
	gen = yajl_gen_alloc(NULL);
	if (!gen)
		return cinch_error_set(err, ENOMEM, "features: out of memory");
	yajl_gen_config(gen, yajl_gen_beautify, 1);
	yajl_gen_config(gen, yajl_gen_indent_string, "    ");
	yajl_gen_map_open(gen);
	gen_str(gen, "ociVersionMin");
	gen_str(gen, "1.0.0");
	gen_str(gen, "ociVersionMax");
	gen_str(gen, CINCH_SPEC_VERSION);
	gen_hooks(gen);
	gen_strv(gen, "mountOptions", cli_features_mount_options);
	gen_linux(gen);
	gen_annotations(gen);
	yajl_gen_map_close(gen);
	yajl_gen_get_buf(gen, &buf, &len);
	fwrite(buf, 1, len, stdout);
	yajl_gen_free(gen);
	return 0;
}
