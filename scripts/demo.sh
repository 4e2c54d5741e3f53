#!/bin/bash
# `make demo`: a busybox container under cinch's default policy. Shows what
# the policy changed and what the container sees from inside. Every step is
# real; everything made here is removed at the end.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cinch=${CINCH:-$top/build/cinch}
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (cinch creates namespaces and cgroups)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "demo: /bin/busybox missing (make deps installs busybox-static)" >&2; exit 1; }

work=$(mktemp -d /tmp/cinch-demo.XXXXXX)
root=$work/state
id=cinch-demo-$$
cleanup() {
	"$cinch" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== 1. a bundle: busybox-static rootfs + the config an engine would send (root, Docker's 14 caps, no seccomp)"
mkdir -p "$work/bundle/rootfs"/{bin,etc,proc,sys,dev,tmp,run}
cp /bin/busybox "$work/bundle/rootfs/bin/"
for app in $(/bin/busybox --list); do [ -e "$work/bundle/rootfs/bin/$app" ] || ln -s busybox "$work/bundle/rootfs/bin/$app"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/bundle/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/bundle/rootfs/etc/group"
jq '.process.args = ["/bin/sh", "-c", "echo \"uid/gid:   $(id -u)/$(id -g)\"; grep -E \"^(CapEff|CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp):\" /proc/self/status; if touch /probe 2>/dev/null; then echo \"root fs:   writable\"; else echo \"root fs:   read-only\"; fi; echo \"pids.max:  $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max 2>/dev/null || echo n/a)\"; echo \"mem limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max 2>/dev/null || echo n/a)\""]' \
	"$top/tests/integration/data/config-base.json" >"$work/bundle/config.json"
jq -c '{user: .process.user, caps: (.process.capabilities.effective | length), seccomp: (.linux.seccomp != null), readonly: .root.readonly}' "$work/bundle/config.json"

echo
echo "== 2. what the default policy (restricted) would change: cinch policy check"
"$cinch" policy check "$work/bundle" || true

echo
echo "== 3. cinch run under the default policy; the container reports what it sees"
"$cinch" --root "$root" run --keep --bundle "$work/bundle" "$id"

echo
echo "== 4. the effective config and the report cinch kept: cinch policy report (first lines)"
"$cinch" --root "$root" policy report "$id" | head -n 25
