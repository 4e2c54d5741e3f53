/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec: saving honours presence (absent stays absent, [] stays [], {} stays
 * {}), save_file is atomic with mode 0600, clone is deep, and the helpers
 * that build models in code do what their names say.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cinch/cleanup.h"
#include "cinch/spec.h"

static struct cinch_spec *load(const char *doc)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = NULL;

	if (cinch_spec_load_buffer(doc, strlen(doc), "config.json", &spec, &err) < 0)
		fail_msg("%s", err.msg);
	return spec;
}

static char *save(const struct cinch_spec *spec)
{
	struct cinch_error err = {0};
	char *out = NULL;

	if (cinch_spec_save_buffer(spec, false, &out, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return out;
}

static void presence_survives_save(void **state)
{
	static const char doc[] =
	    "{\"ociVersion\":\"1.2.0\",\"mounts\":[],\"process\":{\"terminal\":false,"
	    "\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[]},\"env\":[],\"cwd\":\"\","
	    "\"capabilities\":{},\"rlimits\":[]},\"hooks\":{\"poststop\":[]},\"annotations\":{},"
	    "\"linux\":{\"timeOffsets\":{},\"resources\":{\"memory\":{},\"unified\":{}},"
	    "\"sysctl\":{},\"maskedPaths\":[]}}";
	struct cinch_spec *spec = load(doc);
	_cleanup_free_ char *out = save(spec);

	assert_string_equal(out, doc);
	/* Absent is not the same as empty. */
	assert_false(spec->process->args.present);
	assert_true(spec->process->env.present);
	assert_int_equal(spec->process->env.len, 0);
	assert_null(spec->process->console_size);
	assert_false(spec->process->no_new_privileges.present);
	assert_true(spec->process->terminal.present);
	assert_false(spec->hooks->lists[CINCH_HOOK_PRESTART].present);
	assert_true(spec->hooks->lists[CINCH_HOOK_POSTSTOP].present);
	cinch_spec_free(spec);
}

static void null_is_absent(void **state)
{
	struct cinch_spec *spec = load("{\"ociVersion\":\"1\",\"hostname\":null,\"mounts\":null,"
				       "\"linux\":{\"seccomp\":null}}");
	_cleanup_free_ char *out = save(spec);

	assert_null(spec->hostname);
	assert_false(spec->mounts.present);
	assert_string_equal(out, "{\"ociVersion\":\"1\",\"linux\":{}}");
	cinch_spec_free(spec);
}

static void every_model_field_round_trips(void **state)
{
	/* One document touching every table, so a field missing from a table
	 * (or saved under the wrong name) shows up as a difference. */
	static const char doc[] =
	    "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	    "\"mounts\":[{\"destination\":\"/m\",\"type\":\"bind\",\"source\":\"/s\",\"options\":"
	    "[\"rbind\"],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
	    "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}],"
	    "\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
	    "\"user\":{\"uid\":1,\"gid\":2,\"umask\":18,\"additionalGids\":[3,4],\"username\":"
	    "\"u\"},"
	    "\"args\":[\"sh\"],\"commandLine\":\"sh -c\",\"env\":[\"A=B\"],\"cwd\":\"/\","
	    "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[],\"inheritable\":[],"
	    "\"permitted\":[\"CAP_KILL\"],\"ambient\":[]},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
	    "\"hard\":18446744073709551615,\"soft\":1024}],\"noNewPrivileges\":true,"
	    "\"apparmorProfile\":\"p\",\"oomScoreAdj\":-1,\"selinuxLabel\":\"l\",\"scheduler\":"
	    "{\"policy\":\"SCHED_BATCH\",\"nice\":-5,\"priority\":0,\"flags\":[\"SCHED_FLAG_X\"],"
	    "\"runtime\":1,\"deadline\":2,\"period\":3},\"ioPriority\":{\"class\":"
	    "\"IOPRIO_CLASS_BE\",\"priority\":4},\"execCPUAffinity\":{\"initial\":\"0\","
	    "\"final\":\"0-1\"}},\"hostname\":\"h\",\"domainname\":\"d\",\"hooks\":{\"prestart\":"
	    "[{\"path\":\"/p\"}],\"createRuntime\":[{\"path\":\"/c\",\"args\":[\"c\"],\"env\":"
	    "[\"E=1\"],\"timeout\":5}],\"createContainer\":[],\"startContainer\":[],"
	    "\"poststart\":[],\"poststop\":[]},\"annotations\":{\"b\":\"1\",\"a\":\"2\"},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":"
	    "\"/proc/1/ns/net\"},{\"type\":\"time\"}],\"uidMappings\":[{\"containerID\":0,"
	    "\"hostID\":100000,\"size\":65536}],\"gidMappings\":[],\"timeOffsets\":{\"monotonic\":"
	    "{\"secs\":-10,\"nanosecs\":5}},\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\","
	    "\"major\":10,\"minor\":229,\"fileMode\":438,\"uid\":0,\"gid\":0},{\"type\":\"p\","
	    "\"path\":\"/dev/fifo\",\"major\":0,\"minor\":0}],\"cgroupsPath\":\"/c\",\"resources\":"
	    "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
	    "\"major\":1,\"minor\":3,\"access\":\"rw\"}],\"memory\":{\"limit\":1,\"reservation\":2,"
	    "\"swap\":-1,\"kernel\":3,\"kernelTCP\":4,\"swappiness\":60,\"disableOOMKiller\":false,"
	    "\"useHierarchy\":true,\"checkBeforeUpdate\":true},\"cpu\":{\"shares\":1024,\"quota\":"
	    "-1,\"burst\":5,\"period\":100000,\"realtimeRuntime\":6,\"realtimePeriod\":7,\"cpus\":"
	    "\"0-1\",\"mems\":\"0\",\"idle\":1},\"pids\":{\"limit\":-1},\"blockIO\":{\"weight\":10,"
	    "\"leafWeight\":20,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":100,"
	    "\"leafWeight\":50}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1}],"
	    "\"throttleWriteBpsDevice\":[],\"throttleReadIOPSDevice\":[],"
	    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":2}]},"
	    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],\"network\":{\"classID\":1,"
	    "\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]},\"rdma\":{\"mlx5_1\":"
	    "{\"hcaHandles\":3,\"hcaObjects\":10000}},\"unified\":{\"memory.high\":\"max\"}},"
	    "\"rootfsPropagation\":\"rslave\",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
	    "\"defaultErrnoRet\":1,\"architectures\":[\"SCMP_ARCH_X86_64\"],\"flags\":"
	    "[\"SECCOMP_FILTER_FLAG_LOG\"],\"listenerPath\":\"/l\",\"listenerMetadata\":\"m\","
	    "\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":2,"
	    "\"args\":[{\"index\":0,\"value\":2114060288,\"valueTwo\":0,\"op\":"
	    "\"SCMP_CMP_MASKED_EQ\"}]}]},\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
	    "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],\"mountLabel\":"
	    "\"ml\",\"personality\":{\"domain\":\"LINUX32\",\"flags\":[]},\"intelRdt\":{\"closID\":"
	    "\"g\",\"l3CacheSchema\":\"L3:0=f\",\"memBwSchema\":\"MB:0=20\",\"schemata\":[\"x\"],"
	    "\"enableMonitoring\":true,\"enableCMT\":false,\"enableMBM\":true},\"memoryPolicy\":"
	    "{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_STATIC_NODES\"]},"
	    "\"netDevices\":{\"eth1\":{\"name\":\"ceth1\"}}}}";
	struct cinch_error err = {0};
	struct cinch_spec *spec = load(doc), *copy = NULL;
	_cleanup_free_ char *out = save(spec), *copy_out = NULL;

	assert_string_equal(out, doc);
	assert_int_equal(cinch_spec_clone(spec, &copy, &err), 0);
	cinch_spec_free(spec);
	/* The copy must not share memory with the freed original (ASan checks). */
	copy_out = save(copy);
	assert_string_equal(copy_out, doc);
	assert_int_equal(copy->linux_->time_offsets.items[0].secs, -10);
	assert_string_equal(copy->linux_->time_offsets.items[0].clock, "monotonic");
	assert_string_equal(copy->linux_->resources->rdma.items[0].device, "mlx5_1");
	assert_string_equal(copy->linux_->net_devices.items[0].host_name, "eth1");
	assert_int_equal(cinch_spec_find_namespace(copy, CINCH_NS_NETWORK)->type, CINCH_NS_NETWORK);
	assert_null(cinch_spec_find_namespace(copy, CINCH_NS_USER));
	cinch_spec_free(copy);
}

static void clone_is_independent(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = load("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\","
				       "\"args\":[\"a\"]},\"annotations\":{\"k\":\"v\"}}");
	struct cinch_spec *copy = NULL;
	_cleanup_free_ char *before = save(spec), *after = NULL;

	assert_int_equal(cinch_spec_clone(spec, &copy, &err), 0);
	assert_int_equal(cinch_strv_append(&copy->process->args, "b", &err), 0);
	assert_int_equal(cinch_map_set(&copy->annotations, "k", "changed", &err), 0);
	after = save(spec);
	assert_string_equal(before, after);
	assert_string_equal(cinch_map_get(&copy->annotations, "k"), "changed");
	assert_string_equal(cinch_map_get(&spec->annotations, "k"), "v");
	cinch_spec_free(spec);
	cinch_spec_free(copy);
}

static void helpers_build_models(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = calloc(1, sizeof(*spec));
	_cleanup_free_ char *out = NULL;
	enum cinch_ns_type t;

	assert_non_null(spec);
	spec->oci_version = strdup(CINCH_OCI_VERSION);
	spec->process = calloc(1, sizeof(*spec->process));
	spec->process->cwd = strdup("/");
	assert_int_equal(cinch_strv_append(&spec->process->args, "sh", &err), 0);
	assert_int_equal(cinch_strv_append(&spec->process->args, "-c", &err), 0);
	assert_null(spec->process->args.items[2]);
	assert_true(cinch_strv_contains(&spec->process->args, "-c"));
	assert_false(cinch_strv_contains(&spec->process->args, "-x"));
	assert_int_equal(cinch_map_set(&spec->annotations, "a", "1", &err), 0);
	assert_int_equal(cinch_map_set(&spec->annotations, "b", "2", &err), 0);
	assert_int_equal(cinch_map_set(&spec->annotations, "a", "3", &err), 0);
	assert_int_equal(spec->annotations.len, 2);
	assert_null(cinch_map_get(&spec->annotations, "c"));
	out = save(spec);
	assert_string_equal(out, "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"sh\",\"-c\"],"
				 "\"cwd\":\"/\"},\"annotations\":{\"a\":\"3\",\"b\":\"2\"}}");
	/* clear empties the list and keeps its presence: [] is written. */
	cinch_strv_clear(&spec->process->args);
	assert_int_equal(spec->process->args.len, 0);
	free(out);
	out = save(spec);
	assert_non_null(strstr(out, "\"args\":[]"));

	assert_string_equal(cinch_ns_type_name(CINCH_NS_CGROUP), "cgroup");
	assert_null(cinch_ns_type_name(CINCH_NS_TYPE_COUNT));
	assert_int_equal(cinch_ns_type_from_name("network", &t), 0);
	assert_int_equal(t, CINCH_NS_NETWORK);
	assert_int_equal(cinch_ns_type_from_name("net", &t), -EINVAL);
	assert_string_equal(cinch_hook_kind_name(CINCH_HOOK_CREATE_RUNTIME), "createRuntime");
	assert_string_equal(cinch_hook_kind_name(CINCH_HOOK_POSTSTOP), "poststop");
	cinch_spec_free(spec);
}

static void save_refuses_models_that_would_not_load(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec =
	    load("{\"ociVersion\":\"1\",\"mounts\":[{\"destination\":\"/a\"}]}");
	char *out = NULL;

	free(spec->mounts.items[0].destination);
	spec->mounts.items[0].destination = NULL;
	assert_int_equal(cinch_spec_save_buffer(spec, false, &out, NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "saving spec: .mounts[0].destination: missing required field");
	spec->mounts.items[0].destination = strdup("/\xff");
	assert_int_equal(cinch_spec_save_buffer(spec, false, &out, NULL, &err), -EINVAL);
	assert_string_equal(err.msg,
			    "saving spec: .mounts[0].destination: string is not valid UTF-8");
	assert_null(out);
	cinch_spec_free(spec);
}

static void save_file_is_atomic_and_private(void **state)
{
	char dir[] = "/tmp/cinch-spec-test-XXXXXX";
	char path[64];
	struct cinch_error err = {0};
	struct cinch_spec *spec = load("{\"ociVersion\":\"1\",\"hostname\":\"h\"}"), *back = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	struct stat st;
	int entries = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	/* An existing file is replaced whole, with the new mode. */
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	assert_int_equal(cinch_spec_save_file(spec, path, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(cinch_spec_load_file(path, &back, &err), 0);
	assert_string_equal(back->hostname, "h");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || strlen(de->d_name) > 2)
			entries++;
	assert_int_equal(entries, 1); /* no temporary file left behind */
	assert_int_equal(cinch_spec_save_file(spec, "/nonexistent-dir/config.json", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/config.json: creating temporary file"));
	unlink(path);
	rmdir(dir);
	cinch_spec_free(spec);
	cinch_spec_free(back);
}

static void pretty_output_loads_back(void **state)
{
	struct cinch_error err = {0};
	struct cinch_spec *spec = load("{\"ociVersion\":\"1\",\"process\":{\"cwd\":\"/\","
				       "\"args\":[\"a\"]}}"),
			  *back = NULL;
	_cleanup_free_ char *pretty = NULL, *compact = NULL, *again = NULL;
	size_t len;

	assert_int_equal(cinch_spec_save_buffer(spec, true, &pretty, &len, &err), 0);
	assert_non_null(strchr(pretty, '\n'));
	assert_int_equal(strlen(pretty), len);
	assert_int_equal(cinch_spec_load_buffer(pretty, len, "config.json", &back, &err), 0);
	compact = save(spec);
	again = save(back);
	assert_string_equal(compact, again);
	cinch_spec_free(spec);
	cinch_spec_free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(presence_survives_save),
	    cmocka_unit_test(null_is_absent),
	    cmocka_unit_test(every_model_field_round_trips),
	    cmocka_unit_test(clone_is_independent),
	    cmocka_unit_test(helpers_build_models),
	    cmocka_unit_test(save_refuses_models_that_would_not_load),
	    cmocka_unit_test(save_file_is_atomic_and_private),
	    cmocka_unit_test(pretty_output_loads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
