#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Real engines end to end: one bring-up of containerd (+ CRI), dockerd and
# podman with the runtime under test registered as "cinch", then the
# per-engine cases in tests/e2e/cases/, then a teardown that must leave
# nothing behind (checked as the last test).
#
#   sudo tests/e2e/test_engines.sh                         # E2E_RUNTIME=build/cinch
#   sudo E2E_RUNTIME=/usr/sbin/runc tests/e2e/test_engines.sh
#   E2E_ENGINES="docker cri"   run only these case files (docker ctr cri podman)
#   E2E_KEEP=1                 keep configs and daemon logs in the work dir
#   E2E_IS_CINCH=0|1           force the cinch-only (policy) checks off/on
set -u
E2E_HERE=$(cd "$(dirname "$0")" && pwd)
. "$E2E_HERE/lib/tap.sh"
. "$E2E_HERE/lib/engines.sh"
. "$E2E_HERE/lib/hardening.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
if [ ! -x "$E2E_RUNTIME" ]; then
	echo "1..0 # SKIP E2E_RUNTIME=$E2E_RUNTIME is not built"
	exit 0
fi

e2e_t0=$SECONDS
# e2e_up points E2E_LAST (the helpers' output file) into its work dir.
if e2e_up; then
	ok "engines up: containerd (CRI), dockerd, podman; runtime cinch = $E2E_RUNTIME"
else
	not_ok "engines up (see the messages above)"
	e2e_down
	finish
	exit 1
fi
for e2e_case in ${E2E_ENGINES:-docker ctr cri podman}; do
	if [ ! -f "$E2E_HERE/cases/$e2e_case.sh" ]; then
		not_ok "unknown engine case '$e2e_case'"
		continue
	fi
	e2e_case_t0=$SECONDS
	. "$E2E_HERE/cases/$e2e_case.sh"
	diag "$e2e_case: $((SECONDS - e2e_case_t0))s"
done

e2e_down
check_eq "teardown leaves nothing behind (daemons, shims, mounts, cgroups, links, netfilter)" "" "$(e2e_leaks)"
diag "total: $((SECONDS - e2e_t0))s"
finish
