# SPDX-License-Identifier: Apache-2.0
# Brings up real container engines on this machine with a runtime registered
# under the name "cinch", and takes everything down again.
#
#   . tests/e2e/lib/engines.sh
#   e2e_up                # install (apt-get) if needed, start containerd +
#                         # dockerd, configure podman, build and import images
#   ... docker / ctr / CRI / podman commands ...
#   e2e_down              # also runs from the EXIT trap; idempotent
#   e2e_leaks             # prints what is left behind (nothing, normally)
#
# Runtime under test: E2E_RUNTIME (default $TOP/build/cinch), registered as
# "cinch" in dockerd (daemon.json "runtimes"), in containerd's CRI plugin
# (runtime handler "cinch", BinaryName) and in podman (containers.conf).
# It is runtime-agnostic: E2E_RUNTIME=/usr/sbin/runc proves the harness.
#
# Everything lives under one private directory E2E_WORK (mktemp under /tmp):
# configs, daemon roots/state/sockets, the runtime's --root for Docker
# (exec-root), CRI (runtime option Root) and ctr (--runc-root), logs, images.
# Host network is left alone (dockerd --bridge=none --iptables=false, podman
# netns=none, hostNetwork pods), the cgroupfs driver is used (no systemd).
# Daemons are started with fds > 2 closed, in their own session, and stopped
# by PID. Two things cannot be made private: containerd's shims always put
# their sockets in /run/containerd/s, and podman calls the runtime without
# --root (so runc uses /run/runc): both are cleaned up if this run created them.
set -u

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
E2E_RUNTIME=${E2E_RUNTIME:-$E2E_TOP/build/cinch}
E2E_CRI_DIR=$E2E_TOP/tests/e2e/cri
# cgroupfs on this host (no systemd); systemd inside `vmrun --systemd`
# (test_systemd_vm.sh): dockerd native.cgroupdriver, containerd SystemdCgroup,
# podman cgroup_manager.
E2E_CGROUP_DRIVER=${E2E_CGROUP_DRIVER:-cgroupfs}
# cgroup names the engines create at the top of each hierarchy (cgroupfs
# driver): docker, ctr's namespace "default", CRI "kubepods", podman.
E2E_CG_NAMES="docker default kubepods libpod_parent"
E2E_UP=0
E2E_DOWN_DONE=0
# Paths outside the work dir that the engines use whatever they are told:
# shim sockets (s/) and ctr's stdio FIFOs (fifo/) under /run/containerd,
# dockerd's plugin dir and libtrust key, runc's default root (podman gives
# no --root), containers/image's blob-info cache (podman load). Whatever of
# these did not exist before e2e_up is removed again by e2e_down.
E2E_FIXED_PATHS="/run/containerd /run/containerd/s /run/containerd/fifo /run/docker /run/docker/plugins
	/run/runc /run/cinch /etc/docker /etc/docker/key.json /var/lib/containers /var/lib/containers/cache
	/var/lib/containers/cache/blob-info-cache-v1.boltdb"
# The runtime's default roots (podman gives no --root): runc's and cinch's.
E2E_DEFAULT_ROOTS="/run/runc /run/cinch"

e2e_note() { printf '# %s\n' "$*" >&2; }
e2e_err() { printf '# e2e: %s\n' "$*" >&2; }

# ---- prerequisites ----------------------------------------------------------

# Installs what is missing. apt-get must not start the packaged services
# (they would use /var/lib/docker, docker0 and iptables): a policy-rc.d that
# denies every start is put in place for the install if none exists.
e2e_install() {
	local missing="" c
	for c in dockerd:docker.io containerd:containerd ctr:containerd podman:podman \
		conmon:conmon runc:runc busybox:busybox-static jq:jq script:bsdutils \
		node:nodejs npm:npm; do
		command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c#*:}"
	done
	[ -n "$missing" ] || return 0
	e2e_note "installing:$missing"
	local made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# cinch e2e: do not start services during apt-get install\nexit 101\n' \
			>/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >&2
	local rc=$?
	[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
	return $rc
}

# The CRI client's node_modules are not committed: `npm ci` restores them
# from package-lock.json.
e2e_cri_deps() {
	[ -d "$E2E_CRI_DIR/node_modules/@grpc/grpc-js" ] && return 0
	(cd "$E2E_CRI_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
}

e2e_runtime_check() {
	case $E2E_RUNTIME in /*) ;; *) E2E_RUNTIME=$(cd "$(dirname "$E2E_RUNTIME")" && pwd)/$(basename "$E2E_RUNTIME") ;; esac
	if [ ! -x "$E2E_RUNTIME" ]; then
		e2e_err "E2E_RUNTIME=$E2E_RUNTIME is not an executable file"
		return 1
	fi
	# The policy checks expect cinch; anything else (runc) proves the harness.
	if [ -z "${E2E_IS_CINCH:-}" ]; then
		case $("$E2E_RUNTIME" --version 2>/dev/null | head -1) in
		cinch*) E2E_IS_CINCH=1 ;;
		*) E2E_IS_CINCH=0 ;;
		esac
	fi
	export E2E_RUNTIME E2E_IS_CINCH
}

# ---- paths and configuration -------------------------------------------------

# shellcheck disable=SC2034 # used by the case files
e2e_paths() {
	W=$E2E_WORK
	CTRD_SOCK=$W/run/containerd/containerd.sock
	DOCKER_SOCK=$W/run/docker.sock
	DOCKER_EXEC_ROOT=$W/run/docker
	# Where each engine makes the runtime keep its state (its --root).
	DOCKER_RUNTIME_ROOT=$DOCKER_EXEC_ROOT/runtime-runc/moby
	CRI_RUNTIME_ROOT=$W/run/cri-runtime/k8s.io
	CTR_RUNTIME_ROOT=$W/run/ctr-runtime
	export DOCKER_HOST=unix://$DOCKER_SOCK
	export DOCKER_CONFIG=$W/docker-cli
	export CONTAINERS_CONF=$W/conf/containers.conf
	export CONTAINERS_STORAGE_CONF=$W/conf/storage.conf
	export CRI_ENDPOINT=unix://$CTRD_SOCK
	E2E_LAST=$W/last.out
}

e2e_write_configs() {
	mkdir -p "$W"/{conf,log,pids,lib,run,cni,cni-podman,tmp,images,docker-cli,pods} \
		"$W/run/podman/tmp" "$CTR_RUNTIME_ROOT"
	# An empty client config: docker's CLI and podman (auth) both read it.
	echo '{}' >"$DOCKER_CONFIG/config.json"

	# containerd: private root/state/socket; CRI handler "cinch" runs the
	# runtime under test through the runc v2 shim (BinaryName) with a private
	# state root (Root; the shim appends the namespace, "k8s.io").
	# restrict_oom_score_adj: this host lacks CAP_SYS_RESOURCE, so the
	# sandbox's oomScoreAdj -998 cannot be applied; clamp it instead.
	local systemd=false
	[ "$E2E_CGROUP_DRIVER" = systemd ] && systemd=true
	cat >"$W/conf/containerd.toml" <<EOF
version = 2
root = "$W/lib/containerd"
state = "$W/run/containerd"

[grpc]
  address = "$CTRD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$W/lib/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.6"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$W/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "$W/run/cri-runc"
        SystemdCgroup = $systemd
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cinch]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.cinch.options]
        BinaryName = "$E2E_RUNTIME"
        Root = "${CRI_RUNTIME_ROOT%/k8s.io}"
        SystemdCgroup = $systemd
EOF

	# dockerd: "cinch" is the runtime under test; "cinch-args" is the same
	# binary with runtimeArgs, which makes dockerd run it through a generated
	# sh wrapper (args before the engine's global flags). For cinch they
	# choose another host policy (docs/docker.md); runc gets a harmless flag.
	local rt_args='["--debug"]'
	if [ "$E2E_IS_CINCH" = 1 ]; then
		install -m 0644 "$E2E_HERE/../../profiles/policy/baseline.json" "$W/conf/baseline-policy.json"
		rt_args=$(jq -nc --arg p "$W/conf/baseline-policy.json" '["--policy", $p]')
	fi
	jq -n --arg rt "$E2E_RUNTIME" --arg w "$W" --arg sock "$CTRD_SOCK" --arg drv "$E2E_CGROUP_DRIVER" \
		--argjson args "$rt_args" '{
		runtimes: {cinch: {path: $rt}, "cinch-args": {path: $rt, runtimeArgs: $args}},
		"exec-opts": ["native.cgroupdriver=" + $drv],
		"storage-driver": "overlay2",
		"data-root": ($w + "/lib/docker"),
		"exec-root": ($w + "/run/docker"),
		pidfile: ($w + "/run/docker.pid"),
		hosts: ["unix://" + $w + "/run/docker.sock"],
		containerd: $sock,
		bridge: "none", iptables: false, "ip-masq": false, "userland-proxy": false,
		"log-level": "info"
	}' >"$W/conf/daemon.json"

	# podman 4.3 (conmon): cgroupfs and a file event log (no systemd),
	# netns none (no CNI bridge / iptables), ulimits the caller can grant
	# (no CAP_SYS_RESOURCE to raise them), "cinch" listed in
	# runtime_supports_json so conmon passes --log FILE --log-format=json.
	# lock_type file keeps the locks under tmp_dir instead of /dev/shm.
	local nofile nproc
	nofile=$(ulimit -Hn)
	[ "$nofile" = unlimited ] && nofile=1048576
	nproc=$(ulimit -Hu)
	{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
	cat >"$W/conf/containers.conf" <<EOF
[containers]
log_driver = "k8s-file"
netns = "none"
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[network]
network_config_dir = "$W/cni-podman"

[engine]
cgroup_manager = "$E2E_CGROUP_DRIVER"
events_logger = "file"
events_logfile_path = "$W/run/podman/events.log"
tmp_dir = "$W/run/podman/tmp"
image_copy_tmp_dir = "$W/tmp"
lock_type = "file"
runtime = "runc"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "cinch"]

[engine.runtimes]
runc = ["/usr/sbin/runc"]
cinch = ["$E2E_RUNTIME"]
EOF
	cat >"$W/conf/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$W/lib/podman"
runroot = "$W/run/podman/runroot"
EOF
}

# ---- host snapshot (what existed before, to leave exactly that behind) -------

e2e_snapshot() {
	E2E_PRE_PATHS=""
	local p
	for p in $E2E_FIXED_PATHS; do
		[ -e "$p" ] && E2E_PRE_PATHS="$E2E_PRE_PATHS $p"
	done
	E2E_PRE_CG=$(e2e_cgroup_tops)
	E2E_PRE_LINKS=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort)
	E2E_PRE_NET=$(e2e_netfilter)
}

e2e_existed() { case " $E2E_PRE_PATHS " in *" $1 "*) return 0 ;; esac; return 1; }

e2e_netfilter() {
	{
		command -v iptables-save >/dev/null && iptables-save 2>/dev/null | grep -v '^#'
		command -v nft >/dev/null && nft list ruleset 2>/dev/null
	} | sort
}

# Top-level cgroups with the engines' names, one "hierarchy/name" a line.
# (With the systemd driver systemd owns the engines' scopes and slices.)
e2e_cgroup_tops() {
	local h n
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		for n in $E2E_CG_NAMES; do [ -d "/sys/fs/cgroup/$n" ] && echo "/sys/fs/cgroup/$n"; done
		return 0
	fi
	for h in /sys/fs/cgroup/*/; do
		for n in $E2E_CG_NAMES; do [ -d "$h$n" ] && echo "$h$n"; done
	done
}

# ---- daemons ---------------------------------------------------------------

# e2e_spawn NAME CMD...: start CMD in its own session with only fds 0-2
# (stdin /dev/null, output to $W/log/NAME.log) and record its PID. The fds
# are closed here so the daemon, its shims and the runtime below them do not
# inherit the test's pipes and files.
e2e_spawn() {
	local name=$1
	shift
	(
		cd / || exit 1
		for fd in /proc/"$BASHPID"/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec setsid "$@" </dev/null >>"$W/log/$name.log" 2>&1
	) &
	echo $! >"$W/pids/$name"
}

e2e_alive() { # PID [COMM]: running (not a zombie) and, if given, has that name
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] || return 1
	[ -z "${2:-}" ] || [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# e2e_wait NAME SECONDS CMD...: until CMD succeeds; fails early if the
# daemon died, with the tail of its log.
e2e_wait() {
	local name=$1 secs=$2 pid
	shift 2
	pid=$(cat "$W/pids/$name")
	local end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		if ! e2e_alive "$pid"; then
			e2e_err "$name (pid $pid) exited during start-up:"
			tail -n 20 "$W/log/$name.log" | sed 's/^/#   /' >&2
			return 1
		fi
		if [ $SECONDS -ge $end ]; then
			e2e_err "$name not ready after ${secs}s:"
			tail -n 20 "$W/log/$name.log" | sed 's/^/#   /' >&2
			return 1
		fi
		sleep 0.2
	done
}

e2e_start_containerd() {
	e2e_spawn containerd containerd --config "$W/conf/containerd.toml"
	e2e_wait containerd 60 ctr -a "$CTRD_SOCK" version
}

e2e_start_dockerd() {
	e2e_spawn dockerd dockerd --config-file "$W/conf/daemon.json"
	e2e_wait dockerd 90 docker version
}

# e2e_stop NAME COMM SECONDS: SIGTERM the recorded PID, SIGKILL after SECONDS.
e2e_stop() {
	local name=$1 comm=$2 secs=$3 pid i
	pid=$(cat "$W/pids/$name" 2>/dev/null) || return 0
	if e2e_alive "$pid" "$comm"; then
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < secs * 5; i++)); do
			e2e_alive "$pid" "$comm" || break
			sleep 0.2
		done
		if e2e_alive "$pid" "$comm"; then
			e2e_err "$name (pid $pid) ignored SIGTERM for ${secs}s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null # reap: the daemons are this shell's children
	rm -f "$W/pids/$name"
}

# ---- images (no registry) ----------------------------------------------------

# A busybox-static rootfs with root, a uid-1000 "user" and nobody, imported
# into Docker as e2e/busybox; a fake pause image (a shell that sleeps until
# SIGTERM) for the CRI sandbox; both saved as docker-archive tars and loaded
# into containerd (namespaces default and k8s.io) and podman.
e2e_images() {
	local r=$W/images/rootfs app
	mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,home/user,var/tmp,usr/bin,usr/sbin}
	cp /bin/busybox "$r/bin/busybox"
	for app in $(/bin/busybox --list); do
		[ -e "$r/bin/$app" ] || ln -s busybox "$r/bin/$app"
	done
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/home/user:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$r/etc/passwd"
	printf '%s\n' 'root:x:0:' 'user:x:1000:' 'nogroup:x:65534:' >"$r/etc/group"
	chmod 1777 "$r/tmp" "$r/var/tmp"
	chown 1000:1000 "$r/home/user"
	tar -C "$r" --numeric-owner -cf "$W/images/rootfs.tar" . || return 1
	rm -rf "$r"
	docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
		"$W/images/rootfs.tar" e2e/busybox:latest >/dev/null || return 1
	docker import -c 'ENTRYPOINT ["/bin/sh","-c","trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]' \
		"$W/images/rootfs.tar" registry.k8s.io/pause:3.6 >/dev/null || return 1
	docker save -o "$W/images/busybox.tar" e2e/busybox:latest || return 1
	docker save -o "$W/images/pause.tar" registry.k8s.io/pause:3.6 || return 1
	local ctr="ctr -a $CTRD_SOCK"
	$ctr -n default image import "$W/images/busybox.tar" >/dev/null || return 1
	$ctr -n k8s.io image import "$W/images/busybox.tar" >/dev/null || return 1
	$ctr -n k8s.io image import "$W/images/pause.tar" >/dev/null || return 1
	podman load -q -i "$W/images/busybox.tar" >/dev/null || return 1
}

# ---- up / down ----------------------------------------------------------------

e2e_up() {
	local t0=$SECONDS
	[ "$(id -u)" = 0 ] || { e2e_err "needs root"; return 1; }
	e2e_runtime_check || return 1
	e2e_install || { e2e_err "apt-get install failed"; return 1; }
	e2e_cri_deps || { e2e_err "npm ci in $E2E_CRI_DIR failed"; return 1; }
	E2E_WORK=$(mktemp -d /tmp/cinch-e2e.XXXXXX)
	chmod 755 "$E2E_WORK"
	e2e_paths
	e2e_snapshot
	E2E_UP=1
	trap e2e_down EXIT
	trap 'exit 130' INT TERM
	e2e_write_configs
	e2e_start_containerd || return 1
	# node loads slowly (very slowly in a TCG guest): start the resident CRI
	# client now, check that it is ready at the end.
	e2e_cri_serve || { e2e_err "starting the CRI client failed"; return 1; }
	e2e_note "containerd up at $((SECONDS - t0))s"
	e2e_start_dockerd || return 1
	e2e_note "dockerd up at $((SECONDS - t0))s"
	e2e_images || { e2e_err "building/importing the test images failed"; return 1; }
	e2e_cri_ready || { e2e_err "the CRI client did not start"; return 1; }
	e2e_note "engines up in $((SECONDS - t0))s (work dir $W, runtime $E2E_RUNTIME, cinch=$E2E_IS_CINCH)"
}

# e2e_down and the leak check live in teardown.sh.
. "$(dirname "${BASH_SOURCE[0]}")/teardown.sh"

# ---- helpers for the tests ----------------------------------------------------

# e2e_cg PID KIND: a container's cgroup, read on the host from its init
# pid, the same way on cgroup v1 (this host) and v2 (the VM). KIND: path
# (as in /proc/PID/cgroup), memory (limit in bytes), pids (max), cpu_quota
# (us per period), frozen (FROZEN or THAWED).
e2e_cg() {
	local pid=$1 kind=$2 d ctl
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		d=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' "/proc/$pid/cgroup")
		case $kind in
		path) echo "${d#/sys/fs/cgroup}" ;;
		memory) cat "$d/memory.max" ;;
		pids) cat "$d/pids.max" ;;
		cpu_quota) cut -d' ' -f1 "$d/cpu.max" ;;
		frozen) awk '$1 == "frozen" {print ($2 == 1 ? "FROZEN" : "THAWED")}' "$d/cgroup.events" ;;
		esac
		return
	fi
	case $kind in
	path | cpu_quota) ctl=cpu ;;
	memory) ctl=memory ;;
	pids) ctl=pids ;;
	frozen) ctl=freezer ;;
	esac
	d=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	case $kind in
	path) echo "$d" ;;
	memory) cat "/sys/fs/cgroup/memory$d/memory.limit_in_bytes" ;;
	pids) cat "/sys/fs/cgroup/pids$d/pids.max" ;;
	cpu_quota) cat "/sys/fs/cgroup/cpu$d/cpu.cfs_quota_us" ;;
	frozen) cat "/sys/fs/cgroup/freezer$d/freezer.state" ;;
	esac
}

# The resident CRI client (cri-client.js --serve): one node process answers
# every call through two FIFOs in the work dir, instead of a node start-up
# (most of a second on a busy machine) per call.
e2e_cri_serve() {
	mkfifo -m 600 "$W/cri.in" "$W/cri.out" || return 1
	e2e_spawn cri-client node "$E2E_CRI_DIR/cri-client.js" --endpoint "$CRI_ENDPOINT" \
		--timeout "$E2E_CMD_TIMEOUT" --serve "$W/cri.in" "$W/cri.out"
}

# A request written before the server holds the FIFOs open would be lost.
e2e_cri_ready() {
	e2e_wait cri-client 300 e2e_holds "$(cat "$W/pids/cri-client")" "$W/cri.in" "$W/cri.out"
}

e2e_holds() { # PID FILE...: the process has every FILE open
	local pid=$1 f
	shift
	for f in "$@"; do
		find "/proc/$pid/fd" -lname "$f" 2>/dev/null | grep -q . || return 1
	done
}

# One CRI call: cri METHOD [JSON]. The reply JSON goes to stdout; a failed
# call prints "CRI METHOD: CODE: details" on stderr and returns 1.
cri() {
	local method=$1 body=${2:-'{}'} fd line seq end left
	if [ ! -p "$W/cri.in" ]; then
		timeout -k 5 "$E2E_CMD_TIMEOUT" node "$E2E_CRI_DIR/cri-client.js" --endpoint "$CRI_ENDPOINT" "$method" "$body"
		return
	fi
	# Read-write opens of a FIFO never block; the sequence number tells this
	# call's reply from a late one to an earlier call that timed out.
	seq=$BASHPID-$RANDOM$RANDOM
	exec {fd}<>"$W/cri.in"
	printf '%s %s %s\n' "$seq" "$method" "$(tr -d '\n' <<<"$body")" >&$fd
	exec {fd}>&-
	exec {fd}<>"$W/cri.out"
	end=$((SECONDS + E2E_CMD_TIMEOUT))
	while :; do
		left=$((end - SECONDS))
		if [ $left -le 0 ] || ! IFS= read -r -t $left line <&$fd; then
			exec {fd}>&-
			echo "CRI $method: no reply from the CRI client in ${E2E_CMD_TIMEOUT}s" >&2
			return 1
		fi
		[ "${line%% *}" = "$seq" ] && break
	done
	exec {fd}>&-
	line=${line#"$seq "}
	case $line in
	"OK "*) printf '%s\n' "${line#OK }" ;;
	*)
		printf '%s\n' "${line#ERR }" >&2
		return 1
		;;
	esac
}
