# SPDX-License-Identifier: Apache-2.0
# cgroup_view (sourced by run.sh and profile.sh; call it inside a private
# mount namespace, with $TMP set): gives every runtime the same cgroup
# layout. crun refuses hybrid mode ("cgroups in hybrid mode not supported,
# drop all controllers from cgroupv2"), so on a hybrid host (v1 controllers
# plus cgroup2 under /sys/fs/cgroup/unified) the v1 hierarchies are moved
# onto a fresh tmpfs and the unified mount is gone from this namespace.
# Sets CG_VIEW to a one-line description.
cgroup_view() {
	local fs unified h stage links=()
	fs=$(stat -f -c %T /sys/fs/cgroup)
	if [ "$fs" = cgroup2fs ]; then CG_VIEW="unified cgroup v2 (unchanged)"; return; fi
	unified=$(findmnt -rn -t cgroup2 -o TARGET | grep '^/sys/fs/cgroup/' || true)
	if [ -z "$unified" ]; then CG_VIEW="cgroup v1 (unchanged)"; return; fi
	stage=$TMP/cgstage
	mkdir -p "$stage"
	local hier=()
	while read -r h; do
		[ "${h%/*}" = /sys/fs/cgroup ] || continue
		hier+=("${h##*/}")
		mkdir -p "$stage/${h##*/}"
		mount --bind "$h" "$stage/${h##*/}"
	done < <(findmnt -rn -t cgroup -o TARGET)
	for h in /sys/fs/cgroup/*; do [ -L "$h" ] && links+=("${h##*/}=$(readlink "$h")"); done
	# Unmount (in this namespace only) rather than cover: a runtime that
	# reads mountinfo must not find the hidden cgroup2 mount either.
	umount -R -l /sys/fs/cgroup
	mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
	for h in "${hier[@]}"; do
		mkdir -p "/sys/fs/cgroup/$h"
		mount --move "$stage/$h" "/sys/fs/cgroup/$h"
	done
	for h in "${links[@]}"; do ln -s "${h#*=}" "/sys/fs/cgroup/${h%%=*}"; done
	CG_VIEW="hybrid host; private mount namespace with a v1-only /sys/fs/cgroup (${hier[*]}); $unified unmounted there"
}
