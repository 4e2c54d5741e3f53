#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# root.readonly, linux.readonlyPaths and linux.maskedPaths.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/rootfs.sh"
require_root
require_driver

b=$(make_bundle ro)
set_config "$b" '.root.readonly = true'
check_fails "read-only root refuses writes to /" "Read-only" in_container "$b" -- /bin/touch /newfile
check "read-only root: /dev keeps its own mode" in_container "$b" -- /bin/touch /dev/shm/ok
check "read-only root: nothing written to the image" test ! -e "$b/rootfs/newfile"
check "writable root without root.readonly" in_container "$(make_bundle rw)" -- /bin/touch /newfile

b=$(make_bundle masked)
# The base config masks /proc/keys, /proc/timer_list (files) and /proc/acpi,
# /sys/firmware (dirs) and makes /proc/sys, /proc/sysrq-trigger read-only.
set_config "$b" '.linux.maskedPaths += ["/proc/interrupts", "/does/not/exist", "/proc/kcore"]'
for f in /proc/keys /proc/timer_list /proc/interrupts; do
	[ -e "$f" ] || continue
	check_eq "masked file $f reads empty" "0" "$(in_container "$b" -- /bin/sh -c "cat $f | wc -c")"
	check_eq "masked file $f is the null device" "1:3" \
		"$(in_container "$b" -- /bin/stat -L -c '%t:%T' $f)"
done
[ -e /proc/kcore ] && check_eq "/proc/kcore reads nothing" 0 \
	"$(in_container "$b" -- /bin/sh -c 'head -c 16 /proc/kcore 2>/dev/null | wc -c')"
check "host /proc/timer_list has content (the mask is real)" test "$(wc -c </proc/timer_list)" -gt 0
out=$(in_container "$b" -- /bin/sh -c 'ls -A /proc/acpi | wc -l; ls -A /sys/firmware | wc -l; stat -f -c %T /proc/acpi; touch /proc/acpi/x 2>&1 || true')
check_eq "masked directories are empty read-only tmpfs" "0
0
tmpfs
touch: /proc/acpi/x: Read-only file system" "$out"
check "host /sys/firmware is not empty (the mask is real)" test -n "$(ls -A /sys/firmware)"
devs=$(in_container "$b" -- /bin/sh -c "awk '\$5 == \"/proc/acpi\" || \$5 == \"/sys/firmware\" { print \$3 }' /proc/self/mountinfo | sort -u | wc -l")
check_eq "one shared tmpfs masks all directories" 1 "$devs"

check_fails "readonly path /proc/sys refuses writes" "Read-only" \
	in_container "$b" -- /bin/sh -c 'echo 1 > /proc/sys/kernel/ns_last_pid'
if [ -e /proc/sysrq-trigger ]; then
	check_fails "readonly path /proc/sysrq-trigger refuses writes" "Read-only" \
		in_container "$b" -- /bin/sh -c 'echo h > /proc/sysrq-trigger'
else
	skip "readonly path /proc/sysrq-trigger" "no /proc/sysrq-trigger on this kernel"
fi
check_eq "readonly paths are ro in mountinfo" "ro" \
	"$(in_container "$b" -- /bin/sh -c "awk '\$5 == \"/proc/sys\" { print \$6 }' /proc/self/mountinfo" | cut -d, -f1)"

b=$(make_bundle unmasked)
set_config "$b" '.linux.maskedPaths = [] | .linux.readonlyPaths = []'
check "without maskedPaths /proc/acpi is procfs" test "$(in_container "$b" -- /bin/stat -f -c %T /proc/acpi)" = proc
finish
