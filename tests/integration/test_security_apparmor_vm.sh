#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# AppArmor exec profiles through cinch's security API (cinch_apparmor_exec_profile),
# on a kernel with AppArmor enforcing: the shared QEMU guest (shared/vm/vmrun).
# Run on the host; the script re-runs itself inside the guest. Needs the helper
# built from tests/checker (cinch-security-exec) and apparmor_parser on the host.
#
#   tests/integration/test_security_apparmor_vm.sh
#   HELPER=build-x/tests/checker/cinch-security-exec tests/integration/test_security_apparmor_vm.sh
. "$(dirname "$0")/lib.sh"
require_root

HELPER=${HELPER:-$TOP/build/tests/checker/cinch-security-exec}
VMRUN=${VMRUN:-$TOP/../shared/vm/vmrun}
PROFILE=cinch-test-deny-shadow

if [ "${1:-}" != --in-vm ]; then
	for need in "$HELPER" "$VMRUN" /usr/sbin/apparmor_parser; do
		if [ ! -x "$need" ]; then
			echo "1..0 # SKIP missing $need"
			exit 0
		fi
	done
	export HELPER
	# The guest mounts the caller's directory read-write; everything runs from $TOP.
	cd "$TOP" && exec "$VMRUN" --timeout 300 -- bash "$TOP/tests/integration/$(basename "$0")" --in-vm
fi

# ---- inside the guest ----------------------------------------------------------
out=$("$HELPER" apparmor-enabled)
check_eq "cinch_apparmor_enabled() is true on an AppArmor kernel" "apparmor_enabled=1" "$out"

cat >"$TEST_TMP/profile" <<P
abi <abi/3.0>,
profile $PROFILE flags=(attach_disconnected) {
  file,
  capability,
  signal,
  mount,
  umount,
  deny /etc/shadow r,
}
P
check "apparmor_parser loads the test profile" apparmor_parser -r "$TEST_TMP/profile"

label=$("$HELPER" apparmor "$PROFILE" cat /proc/self/attr/current 2>&1)
check_eq "the exec'd process runs under the profile" "$PROFILE (enforce)" "$label"

check "unconfined root reads /etc/shadow (baseline)" cat /etc/shadow
check_fails "the profile denies /etc/shadow to the exec'd process" "Permission denied" \
	"$HELPER" apparmor "$PROFILE" cat /etc/shadow

# The label applies at exec, not before: the helper itself stays unconfined.
own=$(cat /proc/self/attr/current)
check_eq "the caller is still unconfined" "unconfined" "$own"

check_fails "an unknown profile is a clear error" \
	"apparmor profile cinch-no-such-profile is not loaded" \
	"$HELPER" apparmor cinch-no-such-profile true

# CVE-2019-16884 / CVE-2025-52881 class: a fake /proc (here a tmpfs over it in a
# private mount namespace) must not swallow the write; the profile still applies.
check_fails "with a tmpfs over /proc the profile still applies" "Permission denied" \
	unshare -m --propagation private sh -c \
	"mount -t tmpfs fake /proc && exec '$HELPER' apparmor '$PROFILE' cat /etc/shadow"

apparmor_parser -R "$TEST_TMP/profile" >/dev/null 2>&1
finish
