#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Behaviours the OCI runtime-tools validation suite and runc's own flags
# depend on: the cgroup mount of a container with a user namespace but the
# host's cgroup namespace, --no-pivot (MS_MOVE + chroot, the host's mounts
# stay below the root), --no-new-keyring (the caller's session keyring is
# kept), and the executable lookup under a seccomp profile that predates
# faccessat2 (installed before the lookup when no_new_privs is off).
. "$(dirname "$0")/lifecycle-lib.sh"
require_root

# --- cgroup mount in a user namespace without a cgroup namespace -----------------
ub=$(core_bundle userns-cg)
chown -R 100000:100000 "$ub/rootfs"
chmod 755 "$TEST_TMP" "$TEST_TMP/bundles" "$ub"
set_config "$ub" '.linux.namespaces |= map(select(.type!="cgroup")) | .linux.namespaces += [{"type":"user"}] | .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .process.args=["/bin/cat","/proc/self/mountinfo"]'
out=$(cinch run --bundle "$ub" oci-cgu1 2>&1)
check "a cgroup mount works in a user namespace without a cgroup namespace" \
	grep -q ' /sys/fs/cgroup ' <<<"$out"
cg_root() { awk -v m="$1" '$5 == m { print $4 }' <<<"$out"; }
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	check_eq "cgroup2 shows the container's own cgroup" "/cinch-it/oci-cgu1" "$(cg_root /sys/fs/cgroup)"
else
	check_eq "the memory hierarchy shows the container's own cgroup" "/cinch-it/oci-cgu1" \
		"$(cg_root /sys/fs/cgroup/memory)"
	check_eq "the name=systemd hierarchy shows the container's own cgroup" "/cinch-it/oci-cgu1" \
		"$(cg_root /sys/fs/cgroup/systemd)"
	check "every hierarchy is read-only as asked" \
		bash -c '! awk '\''$5 ~ "^/sys/fs/cgroup/" && $6 !~ "^ro" { bad = 1 } END { exit !bad }'\'' <<<"$1"' _ "$out"
fi

# Without a user namespace too: the subtree of a fresh mount (cloned from a
# detached mount, which Linux < 6.15 refuses, or bound from the host's).
hb=$(core_bundle host-cgns)
set_config "$hb" '.linux.namespaces |= map(select(.type!="cgroup")) | .process.args=["/bin/cat","/proc/self/mountinfo"]'
out=$(cinch run --bundle "$hb" oci-cgh1 2>&1)
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	check_eq "host cgroup namespace: cgroup2 shows the container's own cgroup" "/cinch-it/oci-cgh1" \
		"$(cg_root /sys/fs/cgroup)"
else
	check_eq "host cgroup namespace: the memory hierarchy shows the container's own cgroup" \
		"/cinch-it/oci-cgh1" "$(cg_root /sys/fs/cgroup/memory)"
fi

# --- --no-pivot ------------------------------------------------------------------
b=$(core_bundle pivot)
set_config "$b" '.process.args=["/bin/sleep","600"]'
# "total visible": mounts in the container's namespace, and those its init sees.
mounts_of() { python3 "$HELPERS/mount_count.py" "$(cinch state "$1" | jq .pid)"; }
cinch create --bundle "$b" oci-piv >/dev/null 2>&1
counts=$(mounts_of oci-piv)
rc=$?
if [ $rc -eq 77 ]; then
	skip "pivot_root leaves no host mount in the namespace" "no listmount by namespace id (Linux < 6.11)"
	skip "--no-pivot keeps the host's mounts below the root" "no listmount by namespace id (Linux < 6.11)"
else
	read -r total visible <<<"$counts"
	check "pivot_root leaves no host mount in the namespace ($total = $visible)" \
		test "${total:-0}" -gt 0 -a "${total:-0}" = "${visible:-}"
	cinch create --no-pivot --bundle "$b" oci-nopiv >/dev/null 2>&1
	read -r total visible <<<"$(mounts_of oci-nopiv)"
	check "--no-pivot keeps the host's mounts below the root ($total > $visible)" \
		test "${total:-0}" -gt "${visible:-0}"
	cinch delete --force oci-nopiv >/dev/null 2>&1
fi
cinch delete --force oci-piv >/dev/null 2>&1
set_config "$b" '.process.args=["/bin/sh","-c","test -e /bin/busybox && ! test -e /etc/debian_version && echo inside"]'
check_eq "--no-pivot: / is the rootfs" "inside" "$(cinch run --no-pivot --bundle "$b" oci-nopiv2)"

# --- rootfsPropagation unbindable ---------------------------------------------
# Applied after pivot: set on "/" before, it would refuse the rootfs bind.
pb=$(core_bundle propagation)
# The optional fields of the "/" line, then whether a bind of / works.
script='awk '"'"'$5 == "/" { for (i = 7; $i != "-"; i++) print $i }'"'"' /proc/self/mountinfo; mkdir -p /tmp/b; if mount --bind / /tmp/b 2>/dev/null; then echo bound; else echo refused; fi'
set_config "$pb" ".process.args=[\"/bin/sh\",\"-c\",$(jq -Rn --arg s "$script" '$s')] | .process.capabilities[] += [\"CAP_SYS_ADMIN\"]"
for p in unbindable runbindable; do
	set_config "$pb" ".linux.rootfsPropagation=\"$p\""
	check_eq "rootfsPropagation $p: / is unbindable inside" "unbindable refused" \
		"$(cinch run --bundle "$pb" "oci-$p" 2>&1 | tr '\n' ' ' | sed 's/ $//')"
done

# --- poststart / poststop: a failed hook is a warning, the rest still run --------
hb2=$(core_bundle warnhooks)
log=$TEST_TMP/hooks.log
set_config "$hb2" ".process.args=[\"/bin/true\"] | .hooks = {
	\"poststart\": [{\"path\":\"/bin/false\"}, {\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo poststart >> $log\"]}],
	\"poststop\": [{\"path\":\"/bin/false\"}, {\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo poststop >> $log\"]}]}"
cinch create --bundle "$hb2" oci-hooks >/dev/null 2>&1
out=$(cinch start oci-hooks 2>&1)
check_eq "start succeeds despite a failed poststart hook" "0" "$?"
check "start warns about the failed poststart hook" grep -q 'hooks.poststart\[0\]' <<<"$out"
out=$(cinch delete --force oci-hooks 2>&1)
check_eq "delete succeeds despite a failed poststop hook" "0" "$?"
check "delete warns about the failed poststop hook" grep -q 'hooks.poststop\[0\]' <<<"$out"
check_eq "the hooks after a failed poststart/poststop hook still run" "poststart poststop" \
	"$(tr '\n' ' ' <"$log" | sed 's/ $//')"

# --- --no-new-keyring --------------------------------------------------------------
# The caller joins a session keyring only a possessor may view: it shows in
# the container's /proc/keys only if the container still holds it.
kb=$(core_bundle keyring)
set_config "$kb" '.linux.maskedPaths |= map(select(. != "/proc/keys")) | .process.args=["/bin/sh","-c","grep -c cinch-it-sess /proc/keys || true"]'
in_session() {
	python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
k = libc.syscall(250, 1, b"cinch-it-sess")  # keyctl(JOIN_SESSION_KEYRING)
if k < 0 or libc.syscall(250, 5, k, 0x3F000000) != 0:  # SETPERM: possessor only
    sys.exit("keyctl: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}
check_eq "a container gets a session keyring of its own" "0" \
	"$(in_session "$CINCH" --root "$STATE_ROOT" $CINCH_ARGS run --bundle "$kb" oci-key1)"
check_eq "--no-new-keyring keeps the caller's session keyring" "1" \
	"$(in_session "$CINCH" --root "$STATE_ROOT" $CINCH_ARGS run --no-new-keyring --bundle "$kb" oci-key2)"

# --- executable lookup under an old seccomp profile -----------------------------
# Without no_new_privs the filter is installed before the lookup; a profile
# that does not know faccessat2 denies it (EPERM, or ENOSYS as runc stubs it).
sb=$(core_bundle oldseccomp)
for e in 1 38; do
	set_config "$sb" ".process.noNewPrivileges=false | .linux.seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"faccessat2\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":$e}]}"
	set_config "$sb" '.process.args=["sh","-c","echo found"]'
	check_eq "PATH lookup works when faccessat2 fails with errno $e" "found" "$(cinch run --bundle "$sb" oci-seccomp-path-$e 2>&1)"
	set_config "$sb" '.process.args=["/bin/sh","-c","echo found"]'
	check_eq "absolute executable works when faccessat2 fails with errno $e" "found" "$(cinch run --bundle "$sb" oci-seccomp-abs-$e 2>&1)"
done
set_config "$sb" '.process.args=["/etc/passwd"]'
check_fails "a file without x permission is still refused" 'permission denied' cinch run --bundle "$sb" oci-seccomp-noexec

finish
