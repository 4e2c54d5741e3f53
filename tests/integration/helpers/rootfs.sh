# SPDX-License-Identifier: Apache-2.0
# Shared by tests/integration/test_rootfs_*.sh (source after lib.sh).
#
#   in_container BUNDLE [--no-pivot] [--console] -- CMD...
# runs CMD inside BUNDLE's rootfs. By default through rootfs-driver (the
# rootfs code alone, in fresh namespaces); with ROOTFS_VIA_CINCH=1 through
# `cinch run` (the whole runtime; CMD becomes process.args).
ROOTFS_DRIVER=${ROOTFS_DRIVER:-$TOP/build/tests/integration/helpers/rootfs-driver}
rootfs_run_n=0

in_container() {
	local b=$1 flags=()
	shift
	while [ "$1" != "--" ]; do flags+=("$1"); shift; done
	shift
	if [ "${ROOTFS_VIA_CINCH:-0}" = 1 ]; then
		local args
		args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
		set_config "$b" ".process.args=$args"
		rootfs_run_n=$((rootfs_run_n + 1))
		local cflags=()
		for f in "${flags[@]}"; do
			[ "$f" = --no-pivot ] && cflags+=(--no-pivot)
			[ "$f" = --console ] && set_config "$b" '.process.terminal=true'
		done
		cinch run "${cflags[@]}" --bundle "$b" "rootfs-$$-$rootfs_run_n"
	else
		"$ROOTFS_DRIVER" "${flags[@]}" "$b" -- "$@"
	fi
}

require_driver() {
	if [ "${ROOTFS_VIA_CINCH:-0}" != 1 ] && [ ! -x "$ROOTFS_DRIVER" ]; then
		echo "1..0 # SKIP rootfs-driver not built ($ROOTFS_DRIVER)"
		exit 0
	fi
}

# mountinfo_field BUNDLE MOUNTPOINT: the "per-mount options" of MOUNTPOINT
# as the container sees it (empty when not mounted).
mount_opts_of() {
	in_container "$1" -- /bin/sh -c "awk '\$5 == \"$2\" { print \$6 }' /proc/self/mountinfo | tail -1"
}
