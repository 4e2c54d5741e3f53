/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-driver: the timing core of `make bench` (tests/bench/run.sh builds
 * and calls it). It owns process spawning, CLOCK_MONOTONIC timing around
 * fork/exec/wait4, per-command timeouts, the interleaving of runtimes, and
 * one JSON line per measured command. Statistics are left to report.jq.
 *
 *   bench-driver seq  -s NAME -m run|split -n N [-w W] [-t SEC] -d DIR -o OUT ROW...
 *   bench-driver conc -s NAME -n TOTAL -c CONC [-r ROUNDS] [-t SEC] -d DIR -o OUT ROW...
 *   bench-driver exec [-t SEC] [-l LOG] [-M BINARY] -- CMD [ARG...]
 *
 * exec -M copies BINARY into a sealed memfd and replaces the argument
 * "@EXE@" with /proc/self/fd/N: valgrind can then run crun, whose own
 * re-exec through a memfd (fexecve) valgrind cannot follow, because crun
 * sees that it already runs from a sealed copy.
 *
 * ROW is "label|bundle|/abs/runtime|global-arg|..." : the runtime's argv
 * prefix (with its private --root); the driver appends the subcommand.
 * Commands run in their own process group with stdin from /dev/null and
 * stdout/stderr appended to DIR/<scenario>-<label>.log, so a failure reason
 * can be quoted. The driver is a child subreaper: a container init that
 * outlives `create` is reparented here and reaped here, so `delete` sees it
 * stopped rather than a zombie that kill(pid, 0) still reports alive.
 */
#include "driver.h"

static FILE *out;
static const char *scenario = "?";
static const char *work_dir = ".";

static void emit(const struct row *w, const char *step, int iter, int conc, const struct result *r)
{
	fprintf(out,
		"{\"scenario\":\"%s\",\"row\":\"%s\",\"step\":\"%s\",\"iter\":%d,\"conc\":%d,"
		"\"ns\":%lld,\"maxrss_kb\":%ld,\"cpu_us\":%lld,\"rc\":%d}\n",
		scenario, w->label, step, iter, conc, r->ns, r->maxrss_kb, r->cpu_us, r->rc);
	fflush(out);
}

static char **build_argv(struct row *w, const char *a0, const char *a1, const char *a2,
			 const char *a3, const char *a4, const char *a5)
{
	const char *extra[] = {a0, a1, a2, a3, a4, a5};
	int n = w->nprefix;
	w->log_mark = lseek(w->logfd, 0, SEEK_END);
	for (size_t i = 0; i < 6 && extra[i]; i++)
		w->argv[n++] = (char *)extra[i];
	w->argv[n] = NULL;
	return w->argv;
}

/* Prints why a row stopped: its log's last line is the runtime's own error. */
static void mark_failed(struct row *w, const char *step, const struct result *r)
{
	char buf[4096], last[300] = "";
	w->failed = true;
	int fd = open(w->log_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		off_t size = lseek(fd, 0, SEEK_END);
		off_t from = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
		if (from < w->log_mark)
			from = w->log_mark;
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, from);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			char *save = NULL;
			for (char *l = strtok_r(buf, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save))
				snprintf(last, sizeof(last), "%s", l);
		}
	}
	fprintf(stderr, "bench: %s/%s: %s failed (%s%d)%s%s\n", scenario, w->label, step,
		r->rc == TIMED_OUT ? "timed out, rc " : "rc ", r->rc, last[0] ? ": " : "", last);
}

static int read_pid_file(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

static long vm_rss_kb(int pid)
{
	char path[64], line[256];
	long kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* After `start` the container runs /bin/true; wait (untimed) until it exited. */
static bool wait_container_exit(int pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno == ESRCH;
	long long deadline = now_ns() + timeout_ns;
	bool exited = false;
	while (!exited && now_ns() < deadline && !stopping) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		exited = poll(&p, 1, 50) > 0;
	}
	close(pidfd);
	reap_all(); /* a reparented init is reaped here, not left as a zombie */
	return exited;
}

/* The container id; a delete after a failure cleans up, untimed, errors ignored. */
static void force_delete(struct row *w, const char *id)
{
	struct result r;
	run_cmd(build_argv(w, "delete", "--force", id, NULL, NULL, NULL), w->logfd, &r);
}

static bool one_run(struct row *w, int iter, bool record)
{
	char id[128];
	struct result r;
	snprintf(id, sizeof(id), "cb-%s-%s-%d", scenario, w->label, iter);
	run_cmd(build_argv(w, "run", "--bundle", w->bundle, id, NULL, NULL), w->logfd, &r);
	if (record)
		emit(w, "run", iter, 1, &r);
	if (r.rc != 0) {
		mark_failed(w, "run", &r);
		force_delete(w, id);
		return false;
	}
	/* `run` already removed the container in runc and crun: this is the
	 * delete an engine issues anyway; its exit code is not judged. */
	run_cmd(build_argv(w, "delete", "--force", id, NULL, NULL, NULL), w->logfd, &r);
	if (record)
		emit(w, "delete", iter, 1, &r);
	return r.rc != TIMED_OUT;
}

static bool one_split(struct row *w, int iter, bool record)
{
	char id[128], pid_file[600];
	struct result r;
	snprintf(id, sizeof(id), "cb-%s-%s-%d", scenario, w->label, iter);
	snprintf(pid_file, sizeof(pid_file), "%s/%s.pid", work_dir, id);
	unlink(pid_file);
	run_cmd(build_argv(w, "create", "--bundle", w->bundle, "--pid-file", pid_file, id),
		w->logfd, &r);
	if (record)
		emit(w, "create", iter, 1, &r);
	if (r.rc != 0)
		goto fail_create;
	int pid = read_pid_file(pid_file);
	if (pid <= 0) {
		fprintf(stderr, "bench: %s/%s: create wrote no pid file %s\n", scenario, w->label,
			pid_file);
		w->failed = true;
		force_delete(w, id);
		return false;
	}
	struct result rss = {.maxrss_kb = vm_rss_kb(pid)};
	if (record)
		emit(w, "created_init_rss", iter, 1, &rss);
	run_cmd(build_argv(w, "start", id, NULL, NULL, NULL, NULL), w->logfd, &r);
	if (record)
		emit(w, "start", iter, 1, &r);
	if (r.rc != 0) {
		mark_failed(w, "start", &r);
		force_delete(w, id);
		return false;
	}
	if (!wait_container_exit(pid)) {
		fprintf(stderr, "bench: %s/%s: container %s did not exit\n", scenario, w->label,
			id);
		w->failed = true;
		force_delete(w, id);
		return false;
	}
	run_cmd(build_argv(w, "delete", id, NULL, NULL, NULL, NULL), w->logfd, &r);
	if (record)
		emit(w, "delete", iter, 1, &r);
	if (r.rc != 0) {
		mark_failed(w, "delete", &r);
		force_delete(w, id);
		return false;
	}
	unlink(pid_file);
	return true;
fail_create:
	mark_failed(w, "create", &r);
	force_delete(w, id);
	return false;
}

/* Iteration i visits the rows in an order rotated by i, so drift is shared. */
static void cmd_seq(struct row *rows, int nrows, const char *mode, int n, int warm)
{
	bool split = strcmp(mode, "split") == 0;
	if (!split && strcmp(mode, "run") != 0) {
		fprintf(stderr, "bench-driver: -m must be run or split\n");
		exit(2);
	}
	for (int i = -warm; i < n && !stopping; i++) {
		for (int k = 0; k < nrows && !stopping; k++) {
			struct row *w = &rows[((i + warm) + k) % nrows];
			if (w->failed)
				continue;
			bool record = i >= 0;
			int iter = record ? i : 1000000 + i + warm; /* warm-up ids */
			if (split)
				one_split(w, iter, record);
			else
				one_run(w, iter, record);
		}
	}
}

struct slot {
	pid_t pid;
	long long start;
	int idx;
	bool deleting;
};

/* TOTAL containers, `run` then `delete` each, at most CONC in flight. */
static void conc_batch(struct row *w, int total, int conc, int round)
{
	struct slot slots[MAX_SLOTS] = {0};
	int next = 0, finished = 0, failed = 0;
	char ids[MAX_SLOTS][128];
	long long t0 = now_ns();
	while (finished < total) {
		for (int s = 0; s < conc && next < total && !stopping && !failed; s++) {
			if (slots[s].pid)
				continue;
			snprintf(ids[s], sizeof(ids[s]), "cb-%s-%s-c%d-r%d-%d", scenario, w->label,
				 conc, round, next);
			slots[s] = (struct slot){.start = now_ns(), .idx = next++};
			slots[s].pid =
			    spawn(build_argv(w, "run", "--bundle", w->bundle, ids[s], NULL, NULL),
				  w->logfd);
		}
		bool any = false, progress = false;
		reap_all();
		for (int s = 0; s < conc; s++) {
			if (!slots[s].pid)
				continue;
			any = true;
			struct tracked *t = find_tracked(slots[s].pid);
			struct result r;
			if (!t->done) {
				if (now_ns() - slots[s].start > timeout_ns ||
				    (stopping && now_ns() > stop_deadline)) {
					kill_and_collect(t, SIGKILL);
					fill_result(t, slots[s].start, &r);
					r.rc = TIMED_OUT;
					goto finished_cmd;
				}
				continue;
			}
			fill_result(t, slots[s].start, &r);
		finished_cmd:
			progress = true;
			emit(w, slots[s].deleting ? "delete" : "run", slots[s].idx, conc, &r);
			if (!slots[s].deleting && r.rc != 0) {
				if (!failed)
					mark_failed(w, "run", &r);
				failed++;
			}
			if (slots[s].deleting || r.rc == TIMED_OUT) {
				slots[s].pid = 0;
				finished++;
				continue;
			}
			slots[s].deleting = true;
			slots[s].start = now_ns();
			slots[s].pid = spawn(
			    build_argv(w, "delete", "--force", ids[s], NULL, NULL, NULL), w->logfd);
		}
		if ((stopping || failed) && !any)
			break;
		if (any && !progress) /* after progress, refill the free slots first */
			wait_event(now_ns() + 100000000LL);
	}
	struct result batch = {.ns = now_ns() - t0, .rc = (failed || finished < total) ? 1 : 0};
	fprintf(out,
		"{\"scenario\":\"%s\",\"row\":\"%s\",\"step\":\"batch\",\"iter\":%d,\"conc\":%d,"
		"\"ns\":%lld,\"containers\":%d,\"completed\":%d,\"rc\":%d}\n",
		scenario, w->label, round, conc, batch.ns, total, finished - failed, batch.rc);
	fflush(out);
}

static void cmd_conc(struct row *rows, int nrows, int total, int conc, int rounds)
{
	if (conc < 1 || conc > MAX_SLOTS / 2) {
		fprintf(stderr, "bench-driver: -c must be 1..%d\n", MAX_SLOTS / 2);
		exit(2);
	}
	for (int r = 0; r < rounds && !stopping; r++)
		for (int k = 0; k < nrows && !stopping; k++) {
			struct row *w = &rows[(r + k) % nrows];
			if (!w->failed)
				conc_batch(w, total, conc, r);
		}
}

/* A sealed, exec-able copy of `path`, left open across exec on purpose. */
static int sealed_copy(const char *path)
{
	struct stat st;
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0)
		die(path);
	int fd = memfd_create("bench-sealed", MFD_ALLOW_SEALING);
	if (fd < 0)
		die("memfd_create");
	for (off_t off = 0; off < st.st_size;)
		if (sendfile(fd, in, &off, (size_t)(st.st_size - off)) <= 0)
			die("sendfile");
	close(in);
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		die("F_ADD_SEALS");
	return fd;
}

static int cmd_exec(char **argv, const char *log, const char *sealed)
{
	static char exe[64];
	int logfd = -1;
	if (sealed) {
		snprintf(exe, sizeof(exe), "/proc/self/fd/%d", sealed_copy(sealed));
		for (int i = 0; argv[i]; i++)
			if (strcmp(argv[i], "@EXE@") == 0)
				argv[i] = exe;
	}
	if (log && (logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
		die(log);
	struct result r;
	run_cmd(argv, logfd, &r);
	printf("{\"ns\":%lld,\"maxrss_kb\":%ld,\"cpu_us\":%lld,\"rc\":%d}\n", r.ns, r.maxrss_kb,
	       r.cpu_us, r.rc);
	if (r.rc == TIMED_OUT)
		return 124;
	return r.rc > 255 ? 1 : r.rc;
}

static void parse_row(struct row *w, char *spec)
{
	int n = 0;
	char *save = NULL;
	for (char *f = strtok_r(spec, "|", &save); f; f = strtok_r(NULL, "|", &save)) {
		if (n == 0)
			w->label = f;
		else if (n == 1)
			w->bundle = f;
		else if (n - 2 < MAX_ARGS - 8)
			w->argv[w->nprefix++] = f;
		n++;
	}
	if (n < 3 || w->argv[0][0] != '/') {
		fprintf(stderr, "bench-driver: bad row (want label|bundle|/abs/prog|args...)\n");
		exit(2);
	}
	snprintf(w->log_path, sizeof(w->log_path), "%s/%s-%s.log", work_dir, scenario, w->label);
	w->logfd = open(w->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (w->logfd < 0)
		die(w->log_path);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-driver seq|conc|exec ...\n");
		return 2;
	}
	const char *cmd = argv[1], *mode = "run", *out_path = NULL, *log = NULL, *sealed = NULL;
	int n = 50, warm = 2, conc = 1, rounds = 1, opt;
	optind = 2;
	while ((opt = getopt(argc, argv, "+s:m:n:w:t:c:r:d:o:l:M:")) != -1) {
		switch (opt) {
		case 's':
			scenario = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'w':
			warm = atoi(optarg);
			break;
		case 't':
			timeout_ns = atoll(optarg) * 1000000000LL;
			break;
		case 'c':
			conc = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'd':
			work_dir = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'l':
			log = optarg;
			break;
		case 'M':
			sealed = optarg;
			break;
		default:
			return 2;
		}
	}
	sigemptyset(&wait_set);
	sigaddset(&wait_set, SIGCHLD);
	sigaddset(&wait_set, SIGINT);
	sigaddset(&wait_set, SIGTERM);
	sigprocmask(SIG_BLOCK, &wait_set, &orig_mask);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("setup");
	if (strcmp(cmd, "exec") == 0) {
		if (optind >= argc || argv[optind][0] != '/')
			return fprintf(stderr, "bench-driver exec: want an absolute command\n"), 2;
		return cmd_exec(argv + optind, log, sealed);
	}
	struct row rows[MAX_ROWS] = {0};
	int nrows = 0;
	for (int i = optind; i < argc && nrows < MAX_ROWS; i++)
		parse_row(&rows[nrows++], argv[i]);
	if (!out_path || nrows == 0 || n < 1)
		return fprintf(stderr, "bench-driver: need -o OUT, n >= 1 and a ROW\n"), 2;
	out = fopen(out_path, "ae");
	if (!out)
		die(out_path);
	if (strcmp(cmd, "seq") == 0)
		cmd_seq(rows, nrows, mode, n, warm);
	else if (strcmp(cmd, "conc") == 0)
		cmd_conc(rows, nrows, n, conc, rounds);
	else
		return fprintf(stderr, "bench-driver: unknown command %s\n", cmd), 2;
	fclose(out);
	for (int i = 0; i < nrows; i++)
		if (rows[i].failed)
			printf("failed %s\n", rows[i].label);
	return stopping ? 130 : 0;
}
