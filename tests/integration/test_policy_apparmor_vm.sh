#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The policy's "apparmor" rule end to end, on a kernel with AppArmor
# enforcing (the shared QEMU guest, shared/vm/vmrun): a container that asks
# for no profile runs under cinch-default, which cinch loads with
# apparmor_parser the first time it is needed; a missing required profile is
# a refusal. Run on the host; the script re-runs itself inside the guest.
. "$(dirname "$0")/lib.sh"
require_root

VMRUN=${VMRUN:-$TOP/../shared/vm/vmrun}

if [ "${1:-}" != --in-vm ]; then
	for need in "$CINCH" "$VMRUN" /usr/sbin/apparmor_parser; do
		if [ ! -x "$need" ]; then
			echo "1..0 # SKIP missing $need"
			exit 0
		fi
	done
	export CINCH
	cd "$TOP" && exec "$VMRUN" --timeout 300 -- bash "$TOP/tests/integration/$(basename "$0")" --in-vm
fi

# ---- inside the guest (its / is a throwaway overlay) ---------------------------
PROFILES=/sys/kernel/security/apparmor/profiles
loaded() { grep -q "^$1 " "$PROFILES"; }

policy=$TEST_TMP/policy.json
cp "$TOP/profiles/policy/restricted.json" "$policy"
required=$TEST_TMP/required.json
jq '.rules.apparmor.required = true' "$policy" >"$required"
CINCH_ARGS="--policy $policy"

check "cinch-default is not loaded before the first container" sh -c "! grep -q '^cinch-default ' $PROFILES"
install -D -m 0644 "$TOP/profiles/apparmor/cinch-default" /etc/apparmor.d/cinch-default

b=$(make_bundle aa)
set_config "$b" '.process.args=["/bin/cat","/proc/self/attr/current"] | del(.process.apparmorProfile)'
out=$(cinch run --bundle "$b" aa1 2>&1)
check_eq "a container without a profile runs under cinch-default" "cinch-default (enforce)" "$out"
check "cinch loaded cinch-default with apparmor_parser" loaded cinch-default

set_config "$b" '.process.args=["/bin/cat","/proc/self/attr/current"] | .process.apparmorProfile="unconfined"'
out=$(cinch run --bundle "$b" aa2 2>&1)
check_eq "\"unconfined\" is rewritten to cinch-default" "cinch-default (enforce)" "$out"

set_config "$b" '.process.args=["/bin/true"] | .process.apparmorProfile="cinch-no-such-profile"'
check_fails "a profile that is not loaded is a clear error" \
	"apparmor profile cinch-no-such-profile is not loaded" cinch run --bundle "$b" aa4
check "the failed container left no state dir" test ! -e "$STATE_ROOT/aa4"

# Without the profile file, nothing can be loaded: a note by default, a
# refusal when the policy requires AppArmor.
apparmor_parser -R /etc/apparmor.d/cinch-default >/dev/null 2>&1
rm -f /etc/apparmor.d/cinch-default
set_config "$b" '.process.args=["/bin/cat","/proc/self/attr/current"] | del(.process.apparmorProfile)'
out=$(cinch run --bundle "$b" aa5 2>/dev/null)
check_eq "without the profile file the container runs unconfined (not required)" "unconfined" "$out"
CINCH_ARGS="--policy $required"
check_fails "with apparmor.required the missing profile is a refusal" \
	"policy restricted refused: apparmor: profile cinch-default is required but it is not loaded" \
	cinch run --bundle "$b" aa6
check "the refused container left no state dir" test ! -e "$STATE_ROOT/aa6"

# A profile file others can write is never loaded.
install -D -m 0666 "$TOP/profiles/apparmor/cinch-default" /etc/apparmor.d/cinch-default
check_fails "a world-writable profile file is not loaded" \
	"must be owned by root and writable only by root" cinch run --bundle "$b" aa7
check "cinch-default stays unloaded" sh -c "! grep -q '^cinch-default ' $PROFILES"
finish
