# SPDX-License-Identifier: Apache-2.0
# Shared by the core's integration tests (lifecycle, process, namespaces,
# escape): run the test under a child subreaper (as containerd's shim and
# conmon are), and check that a container left nothing behind.
#
#   . "$(dirname "$0")/lifecycle-lib.sh"     (instead of lib.sh)

HELPERS=$(cd "$(dirname "${BASH_SOURCE[0]}")/helpers" && pwd)
if [ -z "${CINCH_UNDER_SUBREAPER:-}" ] && [ "$(id -u)" -eq 0 ]; then
	export CINCH_UNDER_SUBREAPER=1
	CINCH_REAP_LOG=$(mktemp /tmp/cinch-reap.XXXXXX)
	export CINCH_REAP_LOG
	python3 "$HELPERS/subreaper.py" bash "$0" "$@"
	rc=$?
	rm -f "$CINCH_REAP_LOG"
	exit $rc
fi

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# These tests are about the core mechanism: the privileged policy changes
# nothing, so what a test asks for is what the kernel gets.
CINCH_ARGS="--policy $PRIVILEGED_POLICY ${CINCH_ARGS:-}"

core_bundle() { make_bundle "$1"; }

# Every create/run gets cgroupsPath /cinch-it/<id>, so that concurrent
# containers of one bundle do not collide and no_leftovers can look for it.
cinch() {
	local a bundle="" prev=""
	case "${1:-}" in
	create | run)
		for a in "$@"; do
			case $a in --bundle=*) bundle=${a#--bundle=} ;; esac
			case $prev in --bundle | -b) bundle=$a ;; esac
			prev=$a
		done
		[ -n "$bundle" ] && [ -f "$bundle/config.json" ] &&
			set_config "$bundle" ".linux.cgroupsPath=\"/cinch-it/${!#}\""
		;;
	esac
	# shellcheck disable=SC2086
	"$CINCH" --root "$STATE_ROOT" ${CINCH_ARGS:-} "$@"
}

# no_leftovers ID BUNDLE: no state dir, no cgroup dir in any hierarchy, no
# mount of the bundle visible on the host.
no_leftovers() {
	local id=$1 b=$2 left=""
	[ -e "$STATE_ROOT/$id" ] && left="$left state-dir"
	for d in /sys/fs/cgroup/*/cinch-it/"$id" /sys/fs/cgroup/cinch-it/"$id"; do
		[ -d "$d" ] && left="$left cgroup:$d"
	done
	grep -q " $b/" /proc/self/mountinfo && left="$left mounts"
	if [ -z "$left" ]; then return 0; fi
	echo "left behind:$left"
	return 1
}

# The status field of `cinch state ID`.
status_of() { cinch state "$1" 2>/dev/null | jq -r .status; }
pid_of() { cinch state "$1" 2>/dev/null | jq -r .pid; }

# Polls (up to ~5 s) until `cinch state ID` reports STATUS.
wait_status() {
	local i
	for i in $(seq 1 100); do
		[ "$(status_of "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
