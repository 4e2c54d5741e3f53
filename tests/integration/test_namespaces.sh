#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Namespaces: each of the 8 types created new, joined by path (the network,
# ipc, uts and pid namespaces of another container, as Docker's
# --network container:X and CRI pods do), user namespace id maps, time
# offsets, hostname/domainname, namespaced sysctls, and the refusals.
. "$(dirname "$0")/lifecycle-lib.sh"
require_root

b=$(core_bundle ns)
set_config "$b" '.linux.namespaces += [{"type":"cgroup"}]'
base=$(cat "$b/config.json")
reset() { printf '%s' "$base" >"$b/config.json"; }
in_ctr() { # ID SCRIPT [extra jq]
	set_config "$b" ".process.args=[\"/bin/sh\",\"-c\",$(jq -Rn --arg s "$2" '$s')] ${3:-}"
	cinch run --bundle "$b" "$1"
}
host_ns() { readlink "/proc/self/ns/$1"; }

# --- new namespaces ---------------------------------------------------------------
for t in pid net ipc uts mnt cgroup; do
	inside=$(in_ctr "new-$t" "readlink /proc/self/ns/$t")
	check "new $t namespace differs from the host's" test -n "$inside" -a "$inside" != "$(host_ns "$t")"
done
check_eq "the init is pid 1 of its pid namespace" "1" "$(in_ctr pid1 'echo $$')"
reset
check_eq "no pid namespace in the spec: the host's is kept" "$(host_ns pid)" \
	"$(in_ctr hostpid 'readlink /proc/self/ns/pid' '| .linux.namespaces |= map(select(.type!="pid"))')"
reset

# --- time namespace ---------------------------------------------------------------
up=$(cut -d. -f1 /proc/uptime)
t_in=$(in_ctr time1 'cut -d. -f1 /proc/uptime' '| .linux.namespaces += [{"type":"time"}] | .linux.timeOffsets={"boottime":{"secs":86400,"nanosecs":0},"monotonic":{"secs":86400,"nanosecs":0}}')
check "time namespace offsets apply (boottime +1 day)" test "${t_in:-0}" -ge $((up + 86000))
check "new time namespace differs from the host's" test "$(in_ctr time2 'readlink /proc/self/ns/time')" != "$(host_ns time)"
reset
set_config "$b" '.process.args=["/bin/true"] | .linux.timeOffsets={"boottime":{"secs":1,"nanosecs":0}}'
check_fails "timeOffsets without a time namespace are refused" 'timeOffsets: offsets need a new time namespace' cinch create --bundle "$b" time3
reset

# --- hostname, domainname ------------------------------------------------------
check_eq "hostname and domainname are set" "cinchtest example.org" \
	"$(in_ctr h1 'echo $(hostname) $(cat /proc/sys/kernel/domainname)' '| .domainname="example.org"')"
check_eq "the host's hostname is untouched" "$(cat /proc/sys/kernel/hostname)" "$(hostname)"
set_config "$b" '.process.args=["/bin/true"] | .linux.namespaces |= map(select(.type!="uts"))'
check_fails "hostname without a private UTS namespace" 'unable to set hostname without a private UTS namespace' cinch create --bundle "$b" h2
check "nothing left after the hostname refusal" no_leftovers h2 "$b"
reset

# --- sysctl ----------------------------------------------------------------------
check_eq "namespaced sysctls are written (net, ipc)" "0 8192" \
	"$(in_ctr s1 'echo $(cat /proc/sys/net/ipv4/ip_unprivileged_port_start) $(cat /proc/sys/kernel/msgmax)' '| .linux.sysctl={"net.ipv4.ip_unprivileged_port_start":"0","kernel.msgmax":"8192"}')"
check "the host's sysctl is untouched" test "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" != "0"
set_config "$b" '.process.args=["/bin/true"] | .linux.sysctl={"kernel.panic":"1"}'
check_fails "a non-namespaced sysctl is refused" 'linux.sysctl.kernel.panic: not a namespaced sysctl' cinch create --bundle "$b" s2
check "nothing left after the sysctl refusal" no_leftovers s2 "$b"
set_config "$b" '.linux.sysctl={"net.ipv4.ip_forward":"1"} | .linux.namespaces |= map(select(.type!="network"))'
check_fails "a net sysctl without a network namespace is refused" 'needs a network namespace' cinch create --bundle "$b" s3
reset

# --- joining by path ----------------------------------------------------------------
set_config "$b" '.process.args=["/bin/sleep","1000"]'
check "run -d the namespace owner" cinch run -d --bundle "$b" owner
opid=$(pid_of owner)
for t in net ipc uts; do
	case $t in net) type=network ;; *) type=$t ;; esac
	got=$(in_ctr "join-$t" "readlink /proc/self/ns/$t" "| .linux.namespaces |= map(if .type==\"$type\" then {\"type\":\"$type\",\"path\":\"/proc/$opid/ns/$t\"} else . end) | del(.hostname)")
	check_eq "joining the owner's $t namespace by path" "$(readlink /proc/"$opid"/ns/$t)" "$got"
	reset
done
got=$(in_ctr join-pid 'echo $$ $(cat /proc/1/cmdline | tr "\0" " ")' "| .linux.namespaces |= map(if .type==\"pid\" then {\"type\":\"pid\",\"path\":\"/proc/$opid/ns/pid\"} else . end)")
check "joining the owner's pid namespace: its pid 1 is the owner's init" bash -c "[[ '$got' == *'/bin/sleep 1000'* && '${got%% *}' != 1 ]]"
reset
set_config "$b" '.process.args=["/bin/true"] | .linux.namespaces |= map(if .type=="network" then {"type":"network","path":"/nonexistent/ns"} else . end)'
check_fails "a missing namespace path fails create" 'linux.namespaces\[[0-9]\].path: open /nonexistent/ns' cinch create --bundle "$b" join-bad
check "nothing left after the bad path" no_leftovers join-bad "$b"
set_config "$b" ".linux.namespaces |= map(if .type==\"network\" then {\"type\":\"network\",\"path\":\"/proc/$opid/ns/uts\"} else . end)"
check_fails "a namespace path of the wrong type fails create" 'is not a network namespace' cinch create --bundle "$b" join-wrong
check "delete the owner" cinch delete --force owner
reset
set_config "$b" '.process.args=["/bin/true"] | .linux.namespaces |= map(select(.type!="mount"))'
check_fails "a spec without a mount namespace is refused" 'a mount namespace is required' cinch create --bundle "$b" nomnt
reset

# --- user namespace ------------------------------------------------------------------
ub=$(core_bundle userns)
chown -R 100000:100000 "$ub/rootfs"
chmod 755 "$TEST_TMP" "$TEST_TMP/bundles" "$ub"
# (the v1 cgroup mount, which a user namespace may not make afresh, is cloned from the host's)
set_config "$ub" '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .process.args=["/bin/sh","-c","id -u; cat /proc/self/uid_map /proc/self/gid_map | tr -s \" \"; readlink /proc/self/ns/user; touch /tmp/made-inside"]'
out=$(cinch run --bundle "$ub" u1)
check_eq "uid 0 inside a user namespace" "0" "$(echo "$out" | sed -n 1p)"
check_eq "uid_map written by the parent" " 0 100000 65536" "$(echo "$out" | sed -n 2p)"
check_eq "gid_map written by the parent" " 0 100000 65536" "$(echo "$out" | sed -n 3p)"
check "new user namespace differs from the host's" test "$(echo "$out" | sed -n 4p)" != "$(host_ns user)"
check_eq "files made inside belong to the mapped host uid" "100000" "$(stat -c %u "$ub/rootfs/tmp/made-inside")"
set_config "$ub" 'del(.linux.uidMappings)'
check_fails "a new user namespace without mappings is refused" 'needs uidMappings and gidMappings' cinch create --bundle "$ub" u2
set_config "$ub" '.linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .linux.namespaces |= map(select(.type!="user"))'
check_fails "mappings without a user namespace are refused" 'id mappings need a user namespace' cinch create --bundle "$ub" u3
check "nothing left after the user namespace refusals" no_leftovers u3 "$ub"

finish
