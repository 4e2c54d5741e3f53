#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `cinch policy check|show|report` as docs/policy.md describes them: check
# starts nothing and exits 0 compliant / 1 violations / 2 bad input (for CI
# pipelines); show prints the effective policy; report prints what was
# decided for a created container.
. "$(dirname "$0")/lib.sh"
require_root

b=$(make_bundle pcli)
set_config "$b" '.process.args=["/bin/sleep","100"]'

rc_of() { "$@" >"$TEST_TMP/rc.out" 2>&1; echo $?; }

check_eq "check: Docker-like defaults violate restricted (exit 1)" 1 \
	"$(rc_of cinch policy check "$b")"
check "check: the text report names the rewritten rules" \
	grep -Eq 'capabilities|noNewPrivileges|readOnlyRoot' "$TEST_TMP/rc.out"
check "check: nothing was created" test ! -e "$STATE_ROOT/pcli"
check_eq "check --level privileged: compliant (exit 0)" 0 \
	"$(rc_of cinch policy check --level privileged "$b/config.json")"
check_eq "check --format json: exit 1 and a JSON report" 1 \
	"$(rc_of cinch policy check --format json "$b")"
check "check --format json: findings carry rule, path and action" \
	jq -e '[.findings[] | select(.rule and .path and .action)] | length > 0' "$TEST_TMP/rc.out"

# What restricted makes of the bundle is itself compliant.
check "run -d under the default policy" cinch run -d --bundle "$b" pcli-1
eff=$TEST_TMP/effective
mkdir -p "$eff" && cp "$STATE_ROOT/pcli-1/config.effective.json" "$eff/config.json"
ln -s "$b/rootfs" "$eff/rootfs"
check_eq "check: the effective config of a restricted container is compliant (exit 0)" 0 \
	"$(rc_of cinch policy check "$eff")"

echo '{"ociVersion": "1.2.0", "process": ' >"$TEST_TMP/bad.json"
check_eq "check: malformed config.json is bad input (exit 2)" 2 \
	"$(rc_of cinch policy check "$TEST_TMP/bad.json")"
check_eq "check: an unknown level is bad input (exit 2)" 2 \
	"$(rc_of cinch policy check --level paranoid "$b")"
jq '.rules.noSuchRule = {}' "$TOP/profiles/policy/restricted.json" >"$TEST_TMP/badpol.json"
check_eq "check: a policy file with an unknown rule is bad input (exit 2)" 2 \
	"$(rc_of cinch policy check --policy "$TEST_TMP/badpol.json" "$b")"
check "check: the error names the file and the rule" grep -q 'badpol.json.*noSuchRule' "$TEST_TMP/rc.out"

check "show: prints the effective policy" sh -c "'$CINCH' policy show | jq -e '.level == \"restricted\" and .mode == \"enforce\"'"
check "show --level baseline" sh -c "'$CINCH' policy show --level baseline | jq -e '.level == \"baseline\"'"

check "report ID --format json: the decisions kept for the container" \
	sh -c "'$CINCH' --root '$STATE_ROOT' policy report --format json pcli-1 | jq -e '.report.level == \"restricted\" and (.report.findings | length > 0)'"
check "report ID (text) names a rule" sh -c "'$CINCH' --root '$STATE_ROOT' policy report pcli-1 | grep -q capabilities"
check_fails "report of an unknown container is an error" "pcli-nope" cinch policy report pcli-nope
cinch delete --force pcli-1 >/dev/null 2>&1
finish
