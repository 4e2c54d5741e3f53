#!/bin/bash
# The policy between load and create: the default (restricted) rewrite is
# visible from inside, a refusal never reaches the kernel, and joining a
# sibling container's namespaces (every Kubernetes pod container does) is
# told apart from joining the host's.
. "$(dirname "$0")/lib.sh"
require_root

b=$(make_bundle hardened)
set_config "$b" '.process.args=["/bin/cinch-checker","status"]'
check "restricted run succeeds" cinch run --bundle "$b" h1
out=$(cat "$TEST_TMP/last.out")
check_eq "runs as a non-root uid" "uid=65534" "$(grep -o '^uid=[0-9]*' <<<"$out")"
check_eq "no effective capabilities" "CapEff=0000000000000000" "$(grep -o '^CapEff=[0-9a-f]*' <<<"$out")"
check_eq "no_new_privs forced" "NoNewPrivs=1" "$(grep -o '^NoNewPrivs=[0-9]' <<<"$out")"
check_eq "seccomp filter installed" "Seccomp=2" "$(grep -o '^Seccomp=[0-9]' <<<"$out")"
set_config "$b" '.process.args=["/bin/cinch-checker","writable","/"]'
cinch run --bundle "$b" h2 >"$TEST_TMP/w.out" 2>&1
check "root filesystem is read-only" grep -q 'writable=0' "$TEST_TMP/w.out"

# The policy's scratch tmpfs at /tmp goes before a volume beneath it, not
# over it (Docker's -v /x:/tmp/data under a read-only root).
mkdir -p "$TEST_TMP/vol" && echo from-host >"$TEST_TMP/vol/marker"
set_config "$b" ".process.args=[\"/bin/cat\",\"/tmp/data/marker\"] | .mounts += [{\"destination\":\"/tmp/data\",\"type\":\"bind\",\"source\":\"$TEST_TMP/vol\",\"options\":[\"rbind\",\"ro\"]}]"
cinch run --bundle "$b" h3 >"$TEST_TMP/v.out" 2>&1
check_eq "a volume under /tmp is not hidden by the policy's tmpfs" from-host "$(cat "$TEST_TMP/v.out")"

bad=$(make_bundle refused)
set_config "$bad" '.process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
check_fails "CAP_SYS_ADMIN is refused with a one-line reason" \
	'policy restricted refused: capabilities: CAP_SYS_ADMIN is not allowed' cinch run --bundle "$bad" r1
check "a refused container leaves no state dir" test ! -e "$STATE_ROOT/r1"
check "a refused container leaves no cgroup" test ! -e /sys/fs/cgroup/memory/cinch/r1

# A bind source is judged by what it resolves to on the host.
ln -s /etc "$TEST_TMP/etc-link"
set_config "$bad" ".mounts += [{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"$TEST_TMP/etc-link\",\"options\":[\"rbind\"]}] | .process.capabilities = {}"
check_fails "a bind source symlinked to /etc is refused" \
	"etc-link \\(which resolves to /etc\\) is not allowed" cinch run --bundle "$bad" r2
check "that refusal leaves no state dir" test ! -e "$STATE_ROOT/r2"

sib=$(make_bundle sibling)
set_config "$sib" '.process.args=["/bin/sleep","30"]'
check "sibling container runs" cinch run -d --bundle "$sib" s1
pid=$(cinch state s1 | jq .pid)
joiner=$(make_bundle joiner)
set_config "$joiner" ".linux.namespaces |= map(if .type==\"ipc\" then .path=\"/proc/$pid/ns/ipc\" else . end)"
check "joining a sibling's ipc namespace is allowed" cinch run --bundle "$joiner" j1
set_config "$joiner" '.linux.namespaces |= map(if .type=="ipc" then .path="/proc/self/ns/ipc" else . end)'
check_fails "joining the host's ipc namespace is refused" \
	"is the host's ipc namespace" cinch run --bundle "$joiner" j2
cinch delete --force s1 >/dev/null 2>&1
finish
