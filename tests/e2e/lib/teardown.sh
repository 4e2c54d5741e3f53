# SPDX-License-Identifier: Apache-2.0
# The other half of engines.sh: taking down what e2e_up started and proving
# nothing is left behind (sourced by engines.sh; uses its paths and snapshot).

# Removes every container through its engine, stops dockerd and containerd,
# then stops whatever they left (shims, conmon: processes whose command line
# names the work dir; container processes in the engines' cgroups created by
# this run), unmounts everything under the work dir, removes the cgroups and
# directories this run created. Idempotent; safe after a partial e2e_up.
e2e_down() {
	[ "$E2E_UP" = 1 ] && [ "$E2E_DOWN_DONE" = 0 ] || return 0
	E2E_DOWN_DONE=1
	local t0=$SECONDS ns t c ids
	if [ -n "$(cat "$W/pids/dockerd" 2>/dev/null)" ]; then
		ids=$(timeout 30 docker ps -aq 2>/dev/null)
		[ -n "$ids" ] && timeout 60 docker rm -f $ids >/dev/null 2>&1
	fi
	ids=$(timeout 30 podman ps -aq 2>/dev/null)
	[ -n "$ids" ] && timeout 60 podman rm -f -t 0 $ids >/dev/null 2>&1
	if [ -S "$CTRD_SOCK" ]; then
		for ns in default k8s.io; do
			for t in $(timeout 10 ctr -a "$CTRD_SOCK" -n $ns task ls -q 2>/dev/null); do
				timeout 10 ctr -a "$CTRD_SOCK" -n $ns task kill -a -s SIGKILL "$t" >/dev/null 2>&1
				timeout 20 ctr -a "$CTRD_SOCK" -n $ns task delete -f "$t" >/dev/null 2>&1
			done
			for c in $(timeout 10 ctr -a "$CTRD_SOCK" -n $ns container ls -q 2>/dev/null); do
				timeout 10 ctr -a "$CTRD_SOCK" -n $ns container rm "$c" >/dev/null 2>&1
			done
		done
	fi
	e2e_stop cri-client node 5
	e2e_stop dockerd dockerd 20
	e2e_stop containerd containerd 15
	e2e_kill_leftovers
	e2e_unmount_all
	e2e_remove_cgroups
	if grep -qF " $W" /proc/self/mountinfo; then
		e2e_err "mounts remain under $W; not removing it"
	elif [ "${E2E_KEEP:-0}" = 1 ]; then
		e2e_note "E2E_KEEP=1: logs and configs kept in $W"
	else
		rm -rf --one-file-system "$W"
	fi
	# Paths outside the work dir that the engines insist on (deepest first).
	# A default runtime root this run created goes as a whole (caches such
	# as cinch's .cache included) unless it holds a container's state.
	local p
	for p in $E2E_DEFAULT_ROOTS; do
		e2e_existed "$p" && continue
		[ -d "$p" ] && [ -z "$(find "$p" -mindepth 1 -maxdepth 1 ! -name '.*')" ] && rm -rf "$p"
	done
	for p in $(printf '%s\n' $E2E_FIXED_PATHS | sort -r); do
		e2e_existed "$p" && continue
		if [ -d "$p" ]; then rmdir "$p" 2>/dev/null; else rm -f "$p"; fi
	done
	e2e_note "engines down in $((SECONDS - t0))s"
}

# Processes whose command line names the work dir (shims: -address SOCK;
# conmon and podman's cleanup: their roots), except this shell. The pattern
# comes from a file so that grep's own command line does not match.
e2e_pids_in_work() {
	grep -laF -f <(printf '%s/\n' "$W") /proc/[0-9]*/cmdline 2>/dev/null |
		awk -F/ -v a=$$ -v b="$BASHPID" '$3 != a && $3 != b {print $3}'
}

e2e_kill_leftovers() {
	local pids i
	pids=$(e2e_pids_in_work)
	[ -z "$pids" ] && return 0
	e2e_note "stopping leftover processes: ${pids//$'\n'/ }"
	kill -TERM $pids 2>/dev/null
	for ((i = 0; i < 25; i++)); do
		pids=$(e2e_pids_in_work)
		[ -z "$pids" ] && return 0
		sleep 0.2
	done
	kill -KILL $pids 2>/dev/null
}

# Container processes left in cgroups that this run created (thawed first:
# a frozen process does not die).
e2e_cgroup_created() {
	local cg
	for cg in $(e2e_cgroup_tops); do
		printf '%s\n' "$E2E_PRE_CG" | grep -qxF "$cg" || echo "$cg"
	done
}

e2e_remove_cgroups() {
	local cg d pids i
	for cg in $(e2e_cgroup_created); do
		case $cg in */freezer/*)
			find "$cg" -name freezer.state -exec sh -c 'echo THAWED > "$1"' _ {} \; 2>/dev/null
			;;
		esac
	done
	for i in 1 2 3 4 5; do
		pids=$(for cg in $(e2e_cgroup_created); do find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null; done | sort -u)
		[ -z "$pids" ] && break
		e2e_note "killing processes left in the engines' cgroups: ${pids//$'\n'/ }"
		kill -KILL $pids 2>/dev/null
		sleep 0.3
	done
	for cg in $(e2e_cgroup_created); do
		find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
}

e2e_unmount_all() {
	local i m
	for i in 1 2 3 4 5; do
		m=$(awk -v w="$W/" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r)
		[ -z "$m" ] && return 0
		for m in $m; do umount -l "$m" 2>/dev/null || umount "$m" 2>/dev/null; done
	done
}

# Prints one line per thing left behind: processes, mounts, cgroups, network
# links and netfilter rules that were not there before e2e_up.
e2e_leaks() {
	local p
	p=$(e2e_pids_in_work)
	[ -n "$p" ] && echo "processes: ${p//$'\n'/ }"
	for p in dockerd containerd; do
		[ -n "${W:-}" ] && [ -f "$W/pids/$p" ] && e2e_alive "$(cat "$W/pids/$p")" $p && echo "daemon $p still running"
	done
	p=$(awk -v w="$W/" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo)
	[ -n "$p" ] && echo "mounts: ${p//$'\n'/ }"
	p=$(e2e_cgroup_created)
	[ -n "$p" ] && echo "cgroups: ${p//$'\n'/ }"
	p=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sort)
	[ "$p" != "$E2E_PRE_LINKS" ] && echo "network links changed: ${p//$'\n'/ }"
	[ "$(e2e_netfilter)" != "$E2E_PRE_NET" ] && echo "netfilter rules changed"
	[ -d "$W" ] && [ "${E2E_KEEP:-0}" != 1 ] && echo "work dir $W still exists"
	for p in $E2E_FIXED_PATHS; do
		e2e_existed "$p" || { [ -e "$p" ] && echo "created $p"; }
	done
	return 0
}
