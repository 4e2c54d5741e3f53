/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test driver for the cgroup integration tests: drives the cgroup API the
 * way the container lifecycle does (open, create, fork, enter, serialize;
 * later commands from the saved state), plus tiny workloads that prove
 * enforcement (a memory hog, a forker, a device opener).
 *
 *   cgroup-driver create --id ID --state FILE [--path P] [--systemd]
 *                 [limits] [--detach] -- CMD [ARGS]
 *   cgroup-driver freeze|thaw|is-frozen|pids|destroy|stats|oom|path STATE
 *   cgroup-driver kill STATE SIGNUM
 *   cgroup-driver update STATE [limits]
 *   cgroup-driver hog MB | forker N | open PATH r|w
 * limits: --memory N --swap N --reservation N --disable-oom-killer --pids N
 *   --shares N --quota N --period N --cpus LIST --mems LIST --blkio-weight N
 *   --unified KEY=VALUE --hugetlb SIZE=N --cri-devices
 *   --device allow|deny:TYPE:MAJOR:MINOR:ACCESS   (* = any)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cinch/cgroup.h"
#include "cinch/cleanup.h"

static struct cinch_memory mem;
static struct cinch_cpu cpu;
static struct cinch_pids pids;
static struct cinch_block_io bio;
static struct cinch_resources res;
static struct cinch_kv unified[16];
static struct cinch_device_rule rules[16];
static struct cinch_hugepage_limit huge[4];

static int die(const struct cinch_error *err)
{
	fprintf(stderr, "cgroup-driver: %s\n", err->msg);
	return 1;
}

static int64_t num(const char *s)
{
	return strtoll(s, NULL, 10);
}

/* Parses one limit option at argv[*i]; returns false if it is not one. */
static bool parse_limit(int argc, char **argv, int *i)
{
	const char *o = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (strcmp(o, "--disable-oom-killer") == 0) {
		res.memory = &mem;
		mem.disable_oom_killer = (struct cinch_opt_bool){true, true};
		return true;
	}
	if (strcmp(o, "--cri-devices") == 0) {
		rules[res.devices.len++] =
		    (struct cinch_device_rule){.allow = false, .access = (char *)"rwm"};
		res.devices.items = rules;
		res.devices.present = true;
		return true;
	}
	if (!v)
		return false;
	if (strcmp(o, "--memory") == 0)
		res.memory = &mem, mem.limit = (struct cinch_opt_i64){num(v), true};
	else if (strcmp(o, "--swap") == 0)
		res.memory = &mem, mem.swap = (struct cinch_opt_i64){num(v), true};
	else if (strcmp(o, "--reservation") == 0)
		res.memory = &mem, mem.reservation = (struct cinch_opt_i64){num(v), true};
	else if (strcmp(o, "--pids") == 0)
		res.pids = &pids, pids.limit = (struct cinch_opt_i64){num(v), true};
	else if (strcmp(o, "--shares") == 0)
		res.cpu = &cpu, cpu.shares = (struct cinch_opt_u64){(uint64_t)num(v), true};
	else if (strcmp(o, "--quota") == 0)
		res.cpu = &cpu, cpu.quota = (struct cinch_opt_i64){num(v), true};
	else if (strcmp(o, "--period") == 0)
		res.cpu = &cpu, cpu.period = (struct cinch_opt_u64){(uint64_t)num(v), true};
	else if (strcmp(o, "--cpus") == 0)
		res.cpu = &cpu, cpu.cpus = (char *)v;
	else if (strcmp(o, "--mems") == 0)
		res.cpu = &cpu, cpu.mems = (char *)v;
	else if (strcmp(o, "--blkio-weight") == 0)
		res.block_io = &bio, bio.weight = (struct cinch_opt_u32){(uint32_t)num(v), true};
	else if (strcmp(o, "--unified") == 0 && strchr(v, '=') && res.unified.len < 16) {
		char *copy = strdup(v), *eq = strchr(copy, '=');
		*eq = '\0';
		unified[res.unified.len++] = (struct cinch_kv){copy, eq + 1};
		res.unified.items = unified;
		res.unified.present = true;
	} else if (strcmp(o, "--hugetlb") == 0 && strchr(v, '=') && res.hugepage_limits.len < 4) {
		char *copy = strdup(v), *eq = strchr(copy, '=');
		*eq = '\0';
		huge[res.hugepage_limits.len++] =
		    (struct cinch_hugepage_limit){copy, (uint64_t)num(eq + 1)};
		res.hugepage_limits.items = huge;
		res.hugepage_limits.present = true;
	} else if (strcmp(o, "--device") == 0 && res.devices.len < 16) {
		char *copy = strdup(v), *save = NULL;
		char *f[5] = {0};
		struct cinch_device_rule *r = &rules[res.devices.len++];

		for (int k = 0; k < 5; k++)
			f[k] = strtok_r(k ? NULL : copy, ":", &save);
		if (!f[4])
			return false;
		r->allow = strcmp(f[0], "allow") == 0;
		r->type = f[1];
		if (strcmp(f[2], "*") != 0)
			r->major = (struct cinch_opt_i64){num(f[2]), true};
		if (strcmp(f[3], "*") != 0)
			r->minor = (struct cinch_opt_i64){num(f[3]), true};
		r->access = f[4];
		res.devices.items = rules;
		res.devices.present = true;
	} else
		return false;
	(*i)++;
	return true;
}

static int load_state(const char *file, struct cinch_cgroup **cg, struct cinch_error *err)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;

	if (!f)
		return cinch_error_errno(err, errno, "%s", file);
	if (getdelim(&buf, &cap, '\0', f) < 0)
		return cinch_error_errno(err, EIO, "%s", file);
	return cinch_cgroup_deserialize(buf, cg, err);
}

static int cmd_create(int argc, char **argv)
{
	struct cinch_cgroup_config cfg = {0};
	struct cinch_error err = {0}, ignored;
	struct cinch_cgroup *cg = NULL;
	const char *state = NULL;
	bool detach = false;
	int i, sync[2], status;
	_cleanup_free_ char *json = NULL;
	pid_t child;
	char c = 'x';

	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
			cfg.container_id = argv[++i];
		else if (strcmp(argv[i], "--path") == 0 && i + 1 < argc)
			cfg.cgroups_path = argv[++i];
		else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
			state = argv[++i];
		else if (strcmp(argv[i], "--systemd") == 0)
			cfg.systemd = true;
		else if (strcmp(argv[i], "--detach") == 0)
			detach = true;
		else if (!parse_limit(argc, argv, &i)) {
			fprintf(stderr, "cgroup-driver: bad option %s\n", argv[i]);
			return 2;
		}
	}
	if (i >= argc - 1 || !state) {
		fprintf(stderr, "cgroup-driver: create needs --state and -- CMD\n");
		return 2;
	}
	if (cinch_cgroup_open(&cfg, &cg, &err) < 0)
		return die(&err);
	if (cinch_cgroup_create(cg, &res, &err) < 0) {
		cinch_cgroup_free(cg);
		return die(&err);
	}
	if (pipe2(sync, O_CLOEXEC) < 0)
		return 1;
	child = fork();
	if (child == 0) {
		close(sync[1]);
		if (read(sync[0], &c, 1) != 1)
			_exit(126); /* parent failed: do not run in the wrong cgroup */
		execvp(argv[i + 1], argv + i + 1);
		_exit(127);
	}
	close(sync[0]);
	if (cinch_cgroup_enter(cg, child, &err) < 0 ||
	    cinch_cgroup_serialize(cg, &json, &err) < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		cinch_cgroup_destroy(cg, &ignored);
		cinch_cgroup_free(cg);
		return die(&err);
	}
	{
		FILE *f = fopen(state, "we");
		if (!f || fputs(json, f) < 0 || fclose(f) != 0) {
			perror(state);
			return 1;
		}
	}
	if (write(sync[1], &c, 1) != 1)
		return 1;
	close(sync[1]);
	cinch_cgroup_free(cg);
	if (detach) {
		printf("%d\n", (int)child);
		return 0;
	}
	if (waitpid(child, &status, 0) < 0)
		return 1;
	if (WIFSIGNALED(status))
		printf("signaled %d\n", WTERMSIG(status));
	else
		printf("exited %d\n", WEXITSTATUS(status));
	return 0;
}

static int cmd_state(int argc, char **argv)
{
	struct cinch_error err = {0};
	struct cinch_cgroup *cg = NULL;
	const char *cmd = argv[1];
	int r = 0;

	if (argc < 3) {
		fprintf(stderr, "cgroup-driver: %s needs STATE\n", cmd);
		return 2;
	}
	if (load_state(argv[2], &cg, &err) < 0)
		return die(&err);
	if (strcmp(cmd, "freeze") == 0)
		r = cinch_cgroup_freeze(cg, &err);
	else if (strcmp(cmd, "thaw") == 0)
		r = cinch_cgroup_thaw(cg, &err);
	else if (strcmp(cmd, "destroy") == 0)
		r = cinch_cgroup_destroy(cg, &err);
	else if (strcmp(cmd, "path") == 0)
		printf("%s\n", cinch_cgroup_path(cg));
	else if (strcmp(cmd, "is-frozen") == 0) {
		bool frozen = false;
		r = cinch_cgroup_is_frozen(cg, &frozen, &err);
		if (r >= 0)
			printf("%s\n", frozen ? "true" : "false");
	} else if (strcmp(cmd, "pids") == 0) {
		_cleanup_free_ pid_t *p = NULL;
		size_t n = 0;
		r = cinch_cgroup_pids(cg, &p, &n, &err);
		for (size_t k = 0; r >= 0 && k < n; k++)
			printf("%d\n", (int)p[k]);
	} else if (strcmp(cmd, "kill") == 0 && argc > 3) {
		r = cinch_cgroup_signal_all(cg, atoi(argv[3]), &err);
	} else if (strcmp(cmd, "stats") == 0) {
		_cleanup_free_ char *json = NULL;
		r = cinch_cgroup_stats(cg, &json, &err);
		if (r >= 0)
			printf("%s\n", json);
	} else if (strcmp(cmd, "oom") == 0) {
		uint64_t n = 0;
		r = cinch_cgroup_oom_kills(cg, &n, &err);
		if (r >= 0)
			printf("%llu\n", (unsigned long long)n);
	} else if (strcmp(cmd, "update") == 0) {
		for (int i = 3; i < argc; i++)
			if (!parse_limit(argc, argv, &i)) {
				fprintf(stderr, "cgroup-driver: bad option %s\n", argv[i]);
				cinch_cgroup_free(cg);
				return 2;
			}
		r = cinch_cgroup_update(cg, &res, &err);
	} else {
		fprintf(stderr, "cgroup-driver: unknown command %s\n", cmd);
		cinch_cgroup_free(cg);
		return 2;
	}
	cinch_cgroup_free(cg);
	return r < 0 ? die(&err) : 0;
}

/* Touches MB megabytes; prints "survived" only if the kernel allowed it. */
static int cmd_hog(const char *mb)
{
	size_t len = (size_t)atol(mb) << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	printf("survived\n");
	return 0;
}

/* Forks n children that sleep; exit 0 if all forks worked, 3 on EAGAIN. */
static int cmd_forker(const char *n)
{
	int want = atoi(n), made = 0, rc = 0;
	pid_t kids[256];

	for (; made < want && made < 256; made++) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			printf("fork %d failed: %s\n", made + 1, strerror(errno));
			rc = errno == EAGAIN ? 3 : 1;
			break;
		}
		kids[made] = p;
	}
	if (!rc)
		printf("forked %d\n", made);
	for (int k = 0; k < made; k++) {
		kill(kids[k], SIGKILL);
		waitpid(kids[k], NULL, 0);
	}
	return rc;
}

static int cmd_open(const char *path, const char *mode)
{
	int fd = open(path, (mode[0] == 'w' ? O_WRONLY : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		printf("open failed: %s\n", strerror(errno));
		return 1;
	}
	printf("open ok\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: see the comment at the top of cgroup-driver.c\n");
		return 2;
	}
	if (strcmp(argv[1], "create") == 0)
		return cmd_create(argc, argv);
	if (strcmp(argv[1], "hog") == 0 && argc > 2)
		return cmd_hog(argv[2]);
	if (strcmp(argv[1], "forker") == 0 && argc > 2)
		return cmd_forker(argv[2]);
	if (strcmp(argv[1], "open") == 0 && argc > 3)
		return cmd_open(argv[2], argv[3]);
	return cmd_state(argc, argv);
}
