#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Config mounts land in the rootfs with the flags they ask for: proc, sysfs,
# tmpfs, devpts, mqueue, cgroup (v1 tree or v2 subtree), binds of files and
# directories, ro / rro / nosymfollow / propagation, tmpcopyup, idmap,
# relative root.path and destinations, /dev contents, --no-pivot.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/rootfs.sh"
require_root
require_driver

b=$(make_bundle base)
out=$(in_container "$b" -- /bin/cat /proc/self/mountinfo)
check "container runs on the prepared rootfs" test -n "$out"
opt() { awk -v m="$1" '$5 == m { print $6 }' <<<"$out" | tail -1; }
fstype() { awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 1) }' <<<"$out" | tail -1; }
check_eq "/proc is proc" proc "$(fstype /proc)"
check "/proc is nosuid,nodev,noexec" grep -Eq 'nosuid.*nodev.*noexec' <<<"$(opt /proc)"
check_eq "/dev is tmpfs" tmpfs "$(fstype /dev)"
check_eq "/dev/pts is devpts" devpts "$(fstype /dev/pts)"
check_eq "/dev/mqueue is mqueue" mqueue "$(fstype /dev/mqueue)"
check_eq "/dev/shm is tmpfs" tmpfs "$(fstype /dev/shm)"
check_eq "/sys is sysfs" sysfs "$(fstype /sys)"
check "/sys is ro" grep -q '^ro,' <<<"$(opt /sys)"
check "/sys/fs/cgroup is ro" grep -q '^ro,' <<<"$(opt /sys/fs/cgroup)"
check "every cgroup hierarchy is ro" \
	bash -c '! awk '\''$5 ~ "^/sys/fs/cgroup/" && $6 !~ "^ro" { bad = 1 } END { exit !bad }'\'' <<<"$1"' _ "$out"
# The container sees only its own cgroup, never the host's root.
own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
if [ -n "$own" ] && [ "$own" != / ]; then
	check_eq "memory hierarchy root is the own cgroup" "$own" \
		"$(awk '$5 == "/sys/fs/cgroup/memory" { print $4 }' <<<"$out")"
fi

devs=$(in_container "$b" -- /bin/sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done; for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done')
check_eq "default devices" "/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666
/proc/self/fd
/proc/self/fd/0
/proc/self/fd/1
/proc/self/fd/2
pts/ptmx" "$devs"

b=$(make_bundle devices)
set_config "$b" '.linux.devices = [{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":432,"uid":1000,"gid":1000},
                                   {"path":"/dev/sub/fifo","type":"p","major":0,"minor":0}]'
check_eq "linux.devices with fileMode/uid/gid, nested paths" "c 0xa:0xe5 660 1000:1000
p 666" "$(in_container "$b" -- /bin/sh -c 'stat -c "c 0x%t:0x%T %a %u:%g" /dev/fuse; stat -c "p %a" /dev/sub/fifo')"

# binds: directory (ro, nosuid), recursive ro, file, relative source
vol=$TEST_TMP/vol
mkdir -p "$vol/sub" && echo hello >"$vol/f"
mount -t tmpfs sub "$vol/sub"
b=$(make_bundle binds)
mkdir -p "$b/data" && echo rel >"$b/data/r"
mkdir -p "$b/rootfs/opt/img" && echo image >"$b/rootfs/opt/img/file" && ln -s file "$b/rootfs/opt/img/link"
mkdir -p "$b/rootfs/opt/img/d" && echo deep >"$b/rootfs/opt/img/d/x" && chown 1000:1000 "$b/rootfs/opt/img/d/x"
chown 0:0 "$vol/sub"
set_config "$b" ".mounts += [
 {\"destination\":\"/mnt/ro\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"rbind\",\"ro\",\"nosuid\"]},
 {\"destination\":\"/mnt/rro\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"rbind\",\"rro\"]},
 {\"destination\":\"/mnt/file\",\"type\":\"bind\",\"source\":\"$vol/f\",\"options\":[\"bind\"]},
 {\"destination\":\"mnt/rel\",\"source\":\"data\",\"options\":[\"bind\",\"noexec\",\"nodev\"]},
 {\"destination\":\"/opt/img\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"tmpcopyup\",\"nosymfollow\",\"mode=755\"]},
 {\"destination\":\"/mnt/shared\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"rshared\"]},
 {\"destination\":\"/mnt/atime\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"noatime\",\"nodiratime\",\"size=1m\"]}
]"
out=$(in_container "$b" -- /bin/cat /proc/self/mountinfo)
check "ro,nosuid bind" grep -Eq '^ro,nosuid' <<<"$(opt /mnt/ro)"
check_eq "plain ro is not recursive" rw "$(opt /mnt/ro/sub | cut -d, -f1)"
check_eq "rro reaches submounts" ro "$(opt /mnt/rro/sub | cut -d, -f1)"
check "file bind" test -n "$(opt /mnt/file)"
check "relative destination and source" grep -q 'nodev,noexec' <<<"$(opt /mnt/rel)"
check "nosymfollow" grep -q nosymfollow <<<"$(opt /opt/img)"
check "rshared propagation" bash -c "awk '\$5 == \"/mnt/shared\"' <<<'$out' | grep -q 'shared:'"
check "noatime,nodiratime" bash -c 'grep -q noatime <<<"$1" && grep -q nodiratime <<<"$1"' _ "$(opt /mnt/atime)"
check_eq "bind contents, tmpcopyup content and owners, nosymfollow refuses the link" "hello
rel
image
deep 1000
ELOOP" "$(in_container "$b" -- /bin/sh -c 'cat /mnt/file /mnt/rel/r /opt/img/file; echo "$(cat /opt/img/d/x) $(stat -c %u /opt/img/d/x)"; cat /opt/img/link 2>/dev/null || echo ELOOP')"
check_fails "ro bind refuses writes" "Read-only" in_container "$b" -- /bin/touch /mnt/ro/new
check "write under a plain ro rbind submount works" in_container "$b" -- /bin/touch /mnt/ro/sub/new
check_fails "rro submount refuses writes" "Read-only" in_container "$b" -- /bin/touch /mnt/rro/sub/new2
check "tmpcopyup did not write to the image" test ! -e "$b/rootfs/opt/img/new"

# idmap: the host's uid 0 appears as 1000 through the mapping
b=$(make_bundle idmap)
set_config "$b" ".mounts += [{\"destination\":\"/mnt/idm\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"bind\",\"idmap\"],
  \"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}]"
umount "$vol/sub"
check_eq "idmapped bind maps owners" "1000:1000" "$(in_container "$b" -- /bin/stat -c %u:%g /mnt/idm/sub)"
check_eq "without idmap the owner is unchanged" "0:0" "$(stat -c %u:%g "$vol/sub")"

# cgroup2: only the container's own subtree
b=$(make_bundle cg2)
set_config "$b" '.mounts += [{"destination":"/mnt/cg2","type":"cgroup2","source":"cgroup","options":["ro","nosuid"]}]'
out=$(in_container "$b" -- /bin/cat /proc/self/mountinfo)
check_eq "cgroup2 mount is ro" ro "$(opt /mnt/cg2 | cut -d, -f1)"
check_eq "cgroup2 mount root is the own cgroup" "$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)" \
	"$(awk '$5 == "/mnt/cg2" { print $4 }' <<<"$out")"

# root.path absolute, --no-pivot
b=$(make_bundle abs)
set_config "$b" ".root.path = \"$b/rootfs\""
check_eq "absolute root.path" "ok" "$(in_container "$b" -- /bin/echo ok)"
check_eq "--no-pivot" "/" "$(in_container "$b" --no-pivot -- /bin/sh -c 'cd / && pwd')"
check "--no-pivot: / is the rootfs, not the host" in_container "$b" --no-pivot -- /bin/sh -c '! test -e /etc/debian_version && test -e /bin/busybox'

b=$(make_bundle badtype)
set_config "$b" '.mounts += [{"destination":"/x","source":"none"}]'
check_fails "non-bind mount without type is refused, naming the index" 'mounts\[7\] \(/x\): type is required' \
	in_container "$b" -- /bin/true
set_config "$b" '.mounts[7] = {"destination":"/x","type":"tmpfs","source":"t","options":["size=banana"]}'
check_fails "fs option errors name the mount and the kernel reason" 'mounts\[7\] \(/x\).*size' \
	in_container "$b" -- /bin/true
finish
