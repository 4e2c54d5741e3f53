#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Escapes through the runtime itself:
#  - CVE-2024-21626 class: no fd of the caller (a shim leaks its ttrpc socket as
#    fd 3) or of cinch reaches the container; a cwd through /proc/self/fd is
#    refused;
#  - CVE-2019-5736 class: the process that enters the container runs from a
#    sealed memfd, so /proc/<pid>/exe cannot be opened for writing and the
#    host binary stays untouched.
. "$(dirname "$0")/lifecycle-lib.sh"
require_root

b=$(core_bundle esc)
if [ ! -x "$b/rootfs/bin/cinch-checker" ]; then
	echo "1..0 # SKIP cinch-checker not built ($CHECKER)"
	exit 0
fi

# --- fd leak probe ---------------------------------------------------------------
set_config "$b" '.process.args=["/bin/cinch-checker","fds"]'
# Inherited fds as engines leak them: 3 (shim's socket), 9 and 251 (daemons').
out=$(cinch run --bundle "$b" fd1 3</dev/null 9<"$b/config.json" 251>/dev/null)
check_eq "run: only fds 0, 1, 2 in the container" "fd.0 fd.1 fd.2" "$(echo "$out" | cut -d= -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
# create/start split: the container's stdio is the one given to create.
cinch create --bundle "$b" fd2 3</dev/null 9<"$b/config.json" >"$TEST_TMP/fd2.out" 2>&1
check_eq "create with leaked fds 3 and 9" created "$(status_of fd2)"
check "start (also with a leaked fd 3)" cinch start fd2 3</dev/null
wait_status fd2 stopped
check_eq "create/start: only fds 0, 1, 2 in the container" "fd.0 fd.1 fd.2" "$(cut -d= -f1 "$TEST_TMP/fd2.out" | sort | tr '\n' ' ' | sed 's/ $//')"
check "delete fd2" cinch delete fd2

# --- cwd through a leaked fd (CVE-2024-21626) --------------------------------------
# Either create refuses the cwd, or (an fd that is the container's own root,
# e.g. the rootfs handle) the process starts inside the container root.
for n in 3 4 5 6 7 8; do
	set_config "$b" ".process.args=[\"/bin/sh\",\"-c\",\"pwd; ls /bin/cinch-checker\"] | .process.cwd=\"/proc/self/fd/$n\""
	if cinch run --bundle "$b" "cwd$n" >"$TEST_TMP/cwd.out" 2>&1; then
		check_eq "cwd /proc/self/fd/$n resolves inside the container root" "/ /bin/cinch-checker" "$(tr '\n' ' ' <"$TEST_TMP/cwd.out" | sed 's/ $//')"
	elif grep -Eq "process.cwd|no such file|not a directory" "$TEST_TMP/cwd.out"; then
		ok "cwd /proc/self/fd/$n is refused: $(head -1 "$TEST_TMP/cwd.out" | cut -c1-80)"
	else
		not_ok "cwd /proc/self/fd/$n refused for an unexpected reason"
		sed 's/^/#   /' "$TEST_TMP/cwd.out"
	fi
	check "nothing left after cwd /proc/self/fd/$n" no_leftovers "cwd$n" "$b"
done

# --- the runtime runs from a sealed memfd (CVE-2019-5736) --------------------------
set_config "$b" '.process.args=["/bin/sleep","1000"] | .process.cwd="/"'
check "create s1" cinch create --bundle "$b" s1
pid=$(pid_of s1)
exe=$(readlink /proc/"$pid"/exe)
check "the waiting init runs from a memfd, not the host binary ($exe)" bash -c "[[ '$exe' == /memfd:cinch* ]]"
check "its /proc/<pid>/exe is sealed against writes" python3 -c "
import fcntl, os, sys
fd = os.open('/proc/$pid/exe', os.O_RDONLY)
seals = fcntl.fcntl(fd, 1034)  # F_GET_SEALS
want = 0x1 | 0x2 | 0x4 | 0x8   # SEAL, SHRINK, GROW, WRITE
sys.exit(0 if seals & want == want else 1)"
check "opening /proc/<pid>/exe for writing fails" python3 -c "
import os, sys
try:
    os.open('/proc/$pid/exe', os.O_WRONLY)
except OSError:
    sys.exit(0)
sys.exit(1)"
sum_before=$(sha256sum "$CINCH" | cut -d' ' -f1)
check "start s1" cinch start s1
check "kill s1" cinch kill s1 9
wait_status s1 stopped
check "delete s1" cinch delete s1
# With a user namespace that maps neither host uid 0 nor gid 0, container
# processes cannot write a root-owned 0755 binary: the re-exec is skipped.
ub=$(core_bundle escuser)
chown -R 100000:100000 "$ub/rootfs"
chmod 755 "$TEST_TMP" "$TEST_TMP/bundles" "$ub"
set_config "$ub" '.process.args=["/bin/sleep","1000"] | .linux.namespaces += [{"type":"user"}] | .linux.uidMappings=[{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings=[{"containerID":0,"hostID":100000,"size":65536}]'
check "create u1 in a user namespace" cinch create --bundle "$ub" u1
uexe=$(readlink /proc/"$(pid_of u1)"/exe)
if [ "$(stat -c %u "$CINCH")" -eq 0 ] && [ $((0$(stat -c %a "$CINCH") & 022)) -eq 0 ]; then
	check_eq "user namespace without host root: no sealed re-exec needed" "$(readlink -f "$CINCH")" "$uexe"
else
	check "binary writable by others: sealed even with a user namespace" bash -c "[[ '$uexe' == /memfd:cinch* ]]"
fi
check "delete u1" cinch delete --force u1
set_config "$ub" '.linux.uidMappings=[{"containerID":0,"hostID":0,"size":65536}] | .linux.gidMappings=[{"containerID":0,"hostID":0,"size":65536}]'
chown -R 0:0 "$ub/rootfs"
check "create u2 in a user namespace mapping host root" cinch create --bundle "$ub" u2
check "user namespace mapping host root: sealed re-exec" bash -c "[[ '$(readlink /proc/"$(pid_of u2)"/exe)' == /memfd:cinch* ]]"
check "delete u2" cinch delete --force u2

# A container whose process is the runtime binary itself (#!/proc/self/exe).
printf '#!/proc/self/exe\n' >"$b/rootfs/bin/evil"
chmod +x "$b/rootfs/bin/evil"
set_config "$b" '.process.args=["/bin/evil","--version"]'
out=$(cinch run --bundle "$b" s2 2>&1)
diag "container exec of #!/proc/self/exe: $(echo "$out" | head -1)"
check_eq "the host binary is unchanged" "$sum_before" "$(sha256sum "$CINCH" | cut -d' ' -f1)"

finish
