#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The mount(2) fallback: with fsopen, fsconfig, fsmount, fspick, open_tree,
# move_mount and mount_setattr answering ENOSYS (helpers/seccomp-deny,
# as on kernels before 5.2/5.12, under valgrind 3.19, or behind an older
# seccomp profile) cinch still builds the same rootfs: read-only root,
# masked and read-only paths, /dev, binds, tmpfs, cgroup, console; create/
# start/delete; the privileged policy; nothing left mounted on the host.
# Idmapped mounts are refused with a clear error. And cinch under valgrind
# (callgrind) can create and start a container.
. "$(dirname "$0")/lib.sh"
require_root

SECCOMP_DENY=${SECCOMP_DENY:-$(dirname "$CINCH")/tests/integration/helpers/seccomp-deny}
if [ ! -x "$SECCOMP_DENY" ]; then
	echo "1..0 # SKIP seccomp-deny helper not built ($SECCOMP_DENY)"
	exit 0
fi
NO_API=("$SECCOMP_DENY" fsopen fsconfig fsmount fspick open_tree move_mount mount_setattr --)
# cinch with the new mount API answering ENOSYS (the filter is inherited by
# cinch's re-exec and by the container's init).
cinch_old() { "${NO_API[@]}" "$CINCH" --root "$STATE_ROOT" ${CINCH_ARGS:-} "$@"; }

mounts_before=$(wc -l </proc/self/mountinfo)

# What the container reports about its own mounts, one fact a line.
facts_script='
m() { awk -v p="$1" "\$5 == p { o = \$6 } END { print o }" /proc/self/mountinfo; }
t() { awk -v p="$1" "\$5 == p { for (i = 7; \$i != \"-\"; i++); f = \$(i + 1) } END { print f }" /proc/self/mountinfo; }
touch /rootw 2>/dev/null && echo root=writable || echo root=refused
echo kcore=$(cat /proc/kcore 2>/dev/null | wc -c)
echo keys=$(cat /proc/keys 2>/dev/null | wc -c)
echo firmware=$(ls -A /sys/firmware | wc -l)
echo procsys=$(m /proc/sys | cut -d, -f1)
echo procfs=$(m /proc/fs | cut -d, -f1)
(echo x >/proc/sys/kernel/domainname) 2>/dev/null && echo sysctl=writable || echo sysctl=refused
for d in null zero full random urandom tty; do echo $d=$(stat -c %t:%T /dev/$d); done
echo ptmx=$(readlink /dev/ptmx)
echo vol=$(m /mnt/vol | cut -d, -f1) $(cat /mnt/vol/data)
touch /mnt/vol/new 2>/dev/null && echo volwrite=yes || echo volwrite=no
echo tmp=$(t /mnt/tmp) $(m /mnt/tmp | grep -o noexec)
echo shm=$(t /dev/shm) pts=$(t /dev/pts) mqueue=$(t /dev/mqueue) proc=$(t /proc) sys=$(t /sys)
echo cgroup=$(m /sys/fs/cgroup | cut -d, -f1) $(t /sys/fs/cgroup)
echo mounts=$(wc -l </proc/self/mountinfo)
'
vol=$TEST_TMP/vol
mkdir -p "$vol" && echo volume-data >"$vol/data"
b=$(make_bundle restricted)
printf '%s\n' "$facts_script" >"$b/rootfs/facts.sh"
set_config "$b" ".root.readonly = true | .process.args = [\"/bin/sh\", \"/facts.sh\"] |
 .mounts += [{\"destination\":\"/mnt/vol\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"rbind\",\"ro\"]},
             {\"destination\":\"/mnt/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"noexec\",\"size=1m\"]}]"

out=$(cinch_old run --bundle "$b" fb1 2>&1)
check_eq "restricted run without the new mount API" 0 "$?"
fact() { sed -n "s/^$1=//p" <<<"$out"; }
check_eq "read-only root" refused "$(fact root)"
check_eq "masked file /proc/kcore absent or empty" 0 "$(fact kcore)"
check_eq "masked file /proc/keys is empty" 0 "$(fact keys)"
check_eq "masked directory /sys/firmware is empty" 0 "$(fact firmware)"
check_eq "readonly path /proc/sys is ro" ro "$(fact procsys)"
check_eq "readonly path /proc/fs is ro" ro "$(fact procfs)"
check_eq "writes under /proc/sys are refused" refused "$(fact sysctl)"
check_eq "/dev has the default devices" "1:3 1:5 1:7 1:8 1:9 5:0 pts/ptmx" \
	"$(for d in null zero full random urandom tty ptmx; do fact $d; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "a ro user bind mount is ro and shows the volume" "ro volume-data" "$(fact vol)"
check_eq "the ro bind refuses writes" no "$(fact volwrite)"
check_eq "a tmpfs mount with its options" "tmpfs noexec" "$(fact tmp)"
check_eq "/dev/shm, /dev/pts, /dev/mqueue, /proc, /sys" \
	"tmpfs pts=devpts mqueue=mqueue proc=proc sys=sysfs" "$(fact shm)"
# A v1/hybrid host gets a tmpfs of hierarchies, a unified one cgroup2.
cgtype=tmpfs
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && cgtype=cgroup2
check_eq "the cgroup mount is present and read-only" "ro $cgtype" "$(fact cgroup)"

# The same container with the new API: the same mount table.
out_new=$(cinch run --bundle "$b" fb2 2>&1)
check_eq "the same facts as with the new mount API" "$out_new" "$out"

# create / start / delete, writing the facts to a volume.
res=$TEST_TMP/res
mkdir -p "$res" && chmod 777 "$res"
set_config "$b" ".process.args = [\"/bin/sh\", \"-c\", \"/bin/sh /facts.sh >/out/facts\"] |
 .mounts += [{\"destination\":\"/out\",\"type\":\"bind\",\"source\":\"$res\",\"options\":[\"rbind\",\"rw\"]}]"
check "create without the new mount API" cinch_old create --bundle "$b" fb3
check_eq "state: created" created "$(cinch state fb3 | jq -r .status)"
check "start" cinch_old start fb3
for _ in $(seq 1 100); do
	[ "$(cinch state fb3 2>/dev/null | jq -r .status)" = stopped ] && break
	sleep 0.1
done
check_eq "the split container ran with a read-only root and a masked /proc/keys" \
	"refused 0" "$(sed -n 's/^root=//p; s/^keys=//p' "$res/facts" | tr '\n' ' ' | sed 's/ $//')"
check "delete" cinch_old delete fb3

# The privileged policy (no defaults added by cinch), with a console.
pb=$(make_bundle privileged)
set_config "$pb" '.process.terminal = true |
 .process.args = ["/bin/sh", "-c", "stat -c %t /dev/console; grep -c . /proc/self/mountinfo"]'
out=$(echo | CINCH_ARGS="--policy $PRIVILEGED_POLICY" cinch_old run --bundle "$pb" fb4 2>&1)
check_eq "privileged run with a terminal without the new mount API" 0 "$?"
check "/dev/console is the container's pty (major 136)" grep -qx 88 <<<"$(tr -d '\r' <<<"$out")"

# Idmapped mounts have no mount(2) form: a clear error naming the mount.
ib=$(make_bundle idmap)
set_config "$ib" ".mounts += [{\"destination\":\"/mnt/idm\",\"type\":\"bind\",\"source\":\"$vol\",\"options\":[\"bind\",\"idmap\"],
  \"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}]"
check_fails "an idmapped mount is refused, naming the mount and the reason" \
	'mounts\[7\] \(/mnt/idm\): idmapped mounts need mount_setattr \(kernel 5\.12\+\)' \
	env CINCH_ARGS="--policy $PRIVILEGED_POLICY" "${NO_API[@]}" "$CINCH" --root "$STATE_ROOT" \
	--policy "$PRIVILEGED_POLICY" run --bundle "$ib" fb5
"$CINCH" --root "$STATE_ROOT" delete --force fb5 >/dev/null 2>&1

check_eq "no container state left" "" "$(ls "$STATE_ROOT" 2>/dev/null)"
check_eq "no mount left on the host" "$mounts_before" "$(wc -l </proc/self/mountinfo)"

# --- valgrind -----------------------------------------------------------------
# valgrind 3.19 answers the new mount API with ENOSYS (and seccomp(), so the
# config has no seccomp). cinch re-executes itself from a sealed memfd, which
# valgrind cannot follow: it is started from one already (as the benchmark's
# driver does), so it sees the seal and does not re-execute.
if ! command -v valgrind >/dev/null; then
	skip "create + start under valgrind (callgrind): the container ran" "valgrind not installed"
	skip "the rootfs setup under valgrind needs no new mount API" "valgrind not installed"
	finish
	exit
fi
vb=$(make_bundle valgrind)
mkdir -p "$TEST_TMP/cg" "$TEST_TMP/vgout"
set_config "$vb" '.process.args = ["/bin/sh", "-c", "echo ran-under-valgrind > /out/marker"] |
	.process.terminal = false | del(.linux.seccomp) |
	.mounts += [{"destination": "/out", "type": "bind", "source": "'"$TEST_TMP/vgout"'",
		     "options": ["rbind", "rw"]}]'
cat >"$TEST_TMP/sealed.py" <<'EOF'
import fcntl, os, sys
fd = os.memfd_create("sealed", os.MFD_ALLOW_SEALING)
with open(sys.argv[1], "rb") as f:
    os.write(fd, f.read())
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK |
            fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE)
os.set_inheritable(fd, True)
os.execvp(sys.argv[2], [a.replace("@EXE@", "/proc/self/fd/%d" % fd) for a in sys.argv[2:]])
EOF
vg() {
	python3 "$TEST_TMP/sealed.py" "$CINCH" valgrind --tool=callgrind --trace-children=yes \
		--trace-children-skip='/bin/*,/sbin/*,/usr/bin/*,/usr/sbin/*' \
		--callgrind-out-file="$TEST_TMP/cg/cg.%p" \
		@EXE@ --root "$STATE_ROOT" --policy "$PRIVILEGED_POLICY" "$@"
}
vg create --bundle "$vb" fbv >"$TEST_TMP/vg.out" 2>&1 && vg start fbv >>"$TEST_TMP/vg.out" 2>&1
vrc=$?
why=$(grep -v -E '^(==|--)[0-9]+(==|--)' "$TEST_TMP/vg.out" | grep -v '^$' | tail -1)
if grep -q -E 'binding the rootfs|open_tree|move_mount|fsopen|fsmount|mount_setattr' <<<"$why"; then
	not_ok "the rootfs setup under valgrind needs no new mount API"
	diag "$why"
else
	ok "the rootfs setup under valgrind needs no new mount API"
fi
for _ in $(seq 100); do
	[ -s "$TEST_TMP/vgout/marker" ] && break
	sleep 0.1
done
if [ "$vrc" = 0 ] && [ "$(cat "$TEST_TMP/vgout/marker" 2>/dev/null)" = ran-under-valgrind ]; then
	ok "create + start under valgrind (callgrind): the container ran"
	diag "callgrind Ir over $(ls "$TEST_TMP/cg" | wc -l) dump files: $(cat "$TEST_TMP"/cg/cg.* | awk '$1 == "summary:" { s += $2 } END { print s }')"
else
	not_ok "create + start under valgrind (callgrind): the container ran"
	diag "rc $vrc: $why"
fi
"$CINCH" --root "$STATE_ROOT" delete --force fbv >/dev/null 2>&1
finish
