# SPDX-License-Identifier: Apache-2.0
# Shared helpers for integration tests: TAP output, busybox bundles, a
# private --root per test file, and cleanup of everything a test made.
#
#   . "$(dirname "$0")/lib.sh"
#   b=$(make_bundle demo)                 # bundle dir with rootfs + base config
#   set_config "$b" '.process.args=["/bin/sh","-c","id -u"]'
#   run_ok "runs id" cinch run --bundle "$b" c1
#   finish
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CINCH=${CINCH:-$TOP/build/cinch}
CHECKER=${CHECKER:-$TOP/build/tests/checker/cinch-checker}
BASE_CONFIG=$TOP/tests/integration/data/config-base.json
TEST_TMP=$(mktemp -d /tmp/cinch-it.XXXXXX)
STATE_ROOT=$TEST_TMP/state
# A policy file that changes nothing, for tests of the core mechanism.
PRIVILEGED_POLICY=$TOP/profiles/policy/privileged.json
tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP ${2:-}"; }
diag() { printf '# %s\n' "$@"; }

# cinch with this file's private state root. CINCH_ARGS adds global flags.
cinch() { "$CINCH" --root "$STATE_ROOT" ${CINCH_ARGS:-} "$@"; }

# check DESC CMD...: ok if CMD exits 0; output goes to $TEST_TMP/last.out.
check() {
	local desc=$1
	shift
	if "$@" >"$TEST_TMP/last.out" 2>&1; then ok "$desc"; else
		not_ok "$desc"
		sed 's/^/#   /' "$TEST_TMP/last.out" | head -20
	fi
}

# check_fails DESC PATTERN CMD...: ok if CMD exits non-zero and its output matches PATTERN.
check_fails() {
	local desc=$1 pattern=$2
	shift 2
	if "$@" >"$TEST_TMP/last.out" 2>&1; then
		not_ok "$desc (unexpected success)"
	elif grep -Eq -- "$pattern" "$TEST_TMP/last.out"; then ok "$desc"; else
		not_ok "$desc (output does not match /$pattern/)"
	fi
	[ "$tap_failed" -gt 0 ] && sed 's/^/#   /' "$TEST_TMP/last.out" | head -5 || true
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "expected: $2" "actual:   $3"; fi
}

require_root() {
	if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP needs root"; exit 0; fi
}

# make_rootfs DIR: a busybox-static root with /etc/passwd (root, user 1000)
# and the in-container checker (when built).
make_rootfs() {
	local r=$1
	# Built once per test file, then copied: ~400 symlinks are one process
	# each, which is slow in the emulated test VM.
	if [ -d "$TEST_TMP/.rootfs-template" ]; then
		mkdir -p "$r" && cp -a "$TEST_TMP/.rootfs-template/." "$r/"
		return
	fi
	make_rootfs_template "$TEST_TMP/.rootfs-template"
	mkdir -p "$r" && cp -a "$TEST_TMP/.rootfs-template/." "$r/"
}

make_rootfs_template() {
	local r=$1
	mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,home/user,var/tmp}
	cp /bin/busybox "$r/bin/busybox"
	# One process for all applet links. They point to the path the host
	# runs busybox from (/usr/bin/busybox on a merged-/usr host), which the
	# rootfs gets as a link to /bin/busybox.
	/bin/busybox --install -s "$r/bin"
	mkdir -p "$r/usr/bin" && ln -s ../../bin/busybox "$r/usr/bin/busybox"
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' >"$r/etc/group"
	chmod 1777 "$r/tmp" "$r/var/tmp"
	chown 1000:1000 "$r/home/user"
	[ -x "$CHECKER" ] && cp "$CHECKER" "$r/bin/cinch-checker"
	return 0
}

# make_bundle NAME: prints the bundle path; config is the base config.
make_bundle() {
	local b=$TEST_TMP/bundles/$1
	mkdir -p "$b"
	make_rootfs "$b/rootfs"
	cp "$BASE_CONFIG" "$b/config.json"
	echo "$b"
}

# set_config BUNDLE JQ-FILTER: edits config.json in place.
set_config() {
	local b=$1 f=$2 tmp
	tmp=$(mktemp "$b/.config.XXXXXX")
	jq "$f" "$b/config.json" >"$tmp" && mv "$tmp" "$b/config.json"
}

# Containers left in the private root are force-deleted; mounts under the
# test dir are detached; then the dir is removed.
cleanup_all() {
	local id
	if [ -d "$STATE_ROOT" ]; then
		for id in $(ls "$STATE_ROOT" 2>/dev/null); do
			"$CINCH" --root "$STATE_ROOT" delete --force "$id" >/dev/null 2>&1
		done
	fi
	grep -o " $TEST_TMP[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$TEST_TMP"
}
trap cleanup_all EXIT

finish() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
