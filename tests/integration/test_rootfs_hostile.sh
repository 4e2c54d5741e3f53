#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Hostile images and configs: symlinks in the rootfs must never make the
# rootfs code mount, create, chown or bind a host path.
#   CVE-2021-30465 / crun CVE-2019-18837 (symlinked mount destinations),
#   CVE-2019-16884 / CVE-2019-19921 / CVE-2023-27561 (/proc, /sys symlinks,
#   mounts over /proc), CVE-2026-41579 / crun CVE-2026-47766 /
#   CVE-2026-88264/88265 (/dev symlinks), CVE-2025-31133 (/dev/null used for
#   masking), CVE-2025-52565 (/dev/console).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/rootfs.sh"
require_root
require_driver

no_dev_mounts='.mounts |= map(select(.destination | startswith("/dev") | not))'
host=$TEST_TMP/host
mkdir -p "$host"
snapshot() { (cd "$1" && find . -printf '%p %y %m %U %G %s\n' | sort; cat ./* 2>/dev/null) | md5sum; }

# 1. destination symlinks resolve inside the rootfs
mkdir -p "$host/dest" "$TEST_TMP/src"
echo from-volume >"$TEST_TMP/src/file"
b=$(make_bundle dest)
ln -s "$host/dest" "$b/rootfs/evil"
mkdir -p "$b/rootfs/etc" && ln -s "$host/resolv.conf" "$b/rootfs/etc/resolv.conf"
echo "nameserver 9.9.9.9" >"$TEST_TMP/resolv.conf"
set_config "$b" ".mounts += [
 {\"destination\":\"/evil\",\"type\":\"bind\",\"source\":\"$TEST_TMP/src\",\"options\":[\"bind\"]},
 {\"destination\":\"/evil/sub/deeper\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},
 {\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"$TEST_TMP/resolv.conf\",\"options\":[\"bind\",\"ro\"]}]"
before=$(snapshot "$host")
out=$(in_container "$b" -- /bin/sh -c "cat /evil/file; awk '{ print \$5 }' /proc/self/mountinfo | grep -c '^$host/dest\$'; cat /etc/resolv.conf")
check_eq "symlinked destinations: mounts land inside the rootfs" "from-volume
1
nameserver 9.9.9.9" "$out"
check_eq "symlinked destinations: host target untouched" "$before" "$(snapshot "$host")"
check "symlinked destinations: mount points created inside the rootfs" test -d "$b/rootfs$host/dest"
check "dangling symlink target created inside the rootfs" test -f "$b/rootfs$host/resolv.conf"
check "dangling symlink target not created on the host" test ! -e "$host/resolv.conf"

# 2. /proc and /sys must be ordinary directories
for variant in "/proc:$host/fakeproc" "/proc:sys" "/sys:$host/fakesys" "/sys:tmp"; do
	d=${variant%%:*} target=${variant#*:}
	b=$(make_bundle "link$(echo "$variant" | tr -c 'a-z' _)")
	rmdir "$b/rootfs$d" && ln -s "$target" "$b/rootfs$d"
	check_fails "$d as a symlink to $target is refused" "$d.*ordinary directory" \
		in_container "$b" -- /bin/true
done
check "no fake proc/sys created on the host" test ! -e "$host/fakeproc" -a ! -e "$host/fakesys"

# 3. checkProcMount
b=$(make_bundle procmounts)
echo fake >"$TEST_TMP/cpuinfo"
set_config "$b" '.mounts += [{"destination":"/proc/sys","type":"tmpfs","source":"tmpfs"}]'
check_fails "tmpfs over /proc/sys is refused" 'mounts\[7\] \(/proc/sys\): .*inside /proc' in_container "$b" -- /bin/true
set_config "$b" '.mounts[7] = {"destination":"/proc","type":"tmpfs","source":"tmpfs"}'
check_fails "tmpfs over /proc is refused" 'not of type proc' in_container "$b" -- /bin/true
set_config "$b" ".mounts[7] = {\"destination\":\"/proc\",\"type\":\"bind\",\"source\":\"$TEST_TMP\",\"options\":[\"rbind\"]}"
check_fails "bind of a non-procfs over /proc is refused" 'not of type proc' in_container "$b" -- /bin/true
ln -s /proc "$b/rootfs/innocent"
set_config "$b" '.mounts[7] = {"destination":"/innocent/self","type":"tmpfs","source":"tmpfs"}'
check_fails "a destination reaching /proc through a symlink is refused" 'inside /proc' in_container "$b" -- /bin/true
set_config "$b" ".mounts[7] = {\"destination\":\"/proc/cpuinfo\",\"type\":\"bind\",\"source\":\"$TEST_TMP/cpuinfo\",\"options\":[\"bind\"]}"
check_eq "lxcfs-style bind over /proc/cpuinfo is allowed" fake "$(in_container "$b" -- /bin/cat /proc/cpuinfo)"
set_config "$b" '.mounts[7] = {"destination":"/hostproc","type":"proc","source":"proc"}'
check "a proc mount outside /proc is allowed" in_container "$b" -- /bin/test -e /hostproc/self/status

# 4. /dev as a symlink to a host directory
for kind in abs rel; do
	for devmount in without with; do
		mkdir -p "$host/dev-$kind-$devmount"
		b=$(make_bundle "dev-$kind-$devmount")
		rmdir "$b/rootfs/dev"
		if [ $kind = abs ]; then
			ln -s "$host/dev-$kind-$devmount" "$b/rootfs/dev"
		else
			ln -s "../../../../../../../../..$host/dev-$kind-$devmount" "$b/rootfs/dev"
		fi
		[ $devmount = without ] && set_config "$b" "$no_dev_mounts"
		in_container "$b" -- /bin/true >/dev/null 2>&1
		check_eq "/dev -> host dir ($kind, $devmount /dev mount): nothing created on the host" "" \
			"$(ls -A "$host/dev-$kind-$devmount")"
	done
done

# 5. /dev/null as a symlink to a host file, no /dev mount (devpts still
# mounted in the image's /dev, for the console)
victim=$host/victim
echo secret >"$victim" && chmod 600 "$victim" && chown 1234:1234 "$victim"
b=$(make_bundle devnull)
set_config "$b" '.mounts |= map(select(.destination != "/dev"))'
ln -s "$victim" "$b/rootfs/dev/null"
ln -s "$victim" "$b/rootfs/dev/console"
ln -s "$victim" "$b/rootfs/dev/ptmx"
before=$(stat -c '%s %a %u:%g %Y' "$victim")
out=$(in_container "$b" --console -- /bin/sh -c 'stat -c "%t:%T" /dev/null; stat -c %t /dev/console; cat /proc/keys | wc -c')
check_eq "/dev/null symlink replaced by the device, console is a pty, masking works" "1:3
88
0" "$out"
check_eq "/dev/null, /dev/console symlinks: host file untouched" "$before secret" \
	"$(stat -c '%s %a %u:%g %Y' "$victim") $(cat "$victim")"

# 6. masking never uses an unverified /dev/null
mkdir -p "$TEST_TMP/devsrc" && ln -s "$victim" "$TEST_TMP/devsrc/null"
b=$(make_bundle devbind)
set_config "$b" "$no_dev_mounts | .mounts += [{\"destination\":\"/dev\",\"type\":\"bind\",\"source\":\"$TEST_TMP/devsrc\",\"options\":[\"rbind\"]}]"
check_fails "masking refuses a /dev/null that is a symlink" 'maskedPaths\[[0-9]+\].*/dev/null' \
	in_container "$b" -- /bin/true
check_eq "host file untouched" "$before secret" "$(stat -c '%s %a %u:%g %Y' "$victim") $(cat "$victim")"
finish
