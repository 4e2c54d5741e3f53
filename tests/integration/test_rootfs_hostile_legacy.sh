#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test_rootfs_hostile.sh again, with the new mount API and openat2 answering
# ENOSYS (kernels before 5.2/5.6, valgrind, old seccomp profiles): the
# mount(2) fallback (src/container/mount-api.c) and the component-by-component
# resolution in src/util/path.c must keep every hostile image inside its
# rootfs, as the syscalls they stand in for do.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
helper=${SECCOMP_DENY:-$TOP/build/tests/integration/helpers/seccomp-deny}
driver=${ROOTFS_DRIVER:-$TOP/build/tests/integration/helpers/rootfs-driver}
if [ ! -x "$helper" ] || [ ! -x "$driver" ]; then
	echo "1..0 # SKIP seccomp-deny or rootfs-driver not built"
	exit 0
fi
wrapper=$(mktemp /tmp/cinch-legacy-driver.XXXXXX)
trap 'rm -f "$wrapper"' EXIT
printf '#!/bin/sh\nexec %q fsopen fsconfig fsmount fspick open_tree move_mount mount_setattr openat2 -- %q "$@"\n' "$helper" "$driver" >"$wrapper"
chmod 755 "$wrapper"
ROOTFS_DRIVER=$wrapper bash "$TOP/tests/integration/test_rootfs_hostile.sh"
