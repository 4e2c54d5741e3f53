#!/bin/bash
# Installs the Debian packages cinch needs to build, test and demo
# (--bench: and benchmark).
# As root it runs apt-get for whatever is missing; otherwise it only reports.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config git jq
	libseccomp-dev libcap-ng-dev libapparmor-dev libyajl-dev libmount-dev libsystemd-dev
	libcmocka-dev clang libclang-rt-14-dev
	busybox-static runc crun iproute2 util-linux procps apparmor strace
)
[ "${CINCH_DEPS_EXTRA:-}" ] && read -r -a extra <<<"$CINCH_DEPS_EXTRA" && packages+=("${extra[@]}")
# `make bench` (--bench): instruction counts (perf stat where the CPU has a
# counter, else callgrind) and tests/bench/profile.sh. The bench says "not
# available" for what is missing, so these stay out of the default set.
[ "${1:-}" = --bench ] && packages+=(valgrind linux-perf)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "cinch: missing packages: ${missing[*]} (run 'make deps' as root)" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
