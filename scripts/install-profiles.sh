#!/bin/bash
# `make install`, after meson installed the binary: profiles under
# $PREFIX/share/cinch, the default host policy at /etc/cinch/policy.json
# (never over an existing one), and the audit log directory.
set -euo pipefail
prefix=${1:-/usr/local}
top=$(cd "$(dirname "$0")/.." && pwd)
share=${DESTDIR:-}$prefix/share/cinch
etc=${DESTDIR:-}/etc/cinch

install -d -m 0755 "$share"
cp -r "$top/profiles/." "$share/"
install -d -m 0755 "$etc"
if [ ! -e "$etc/policy.json" ]; then
	install -m 0644 "$top/profiles/policy/restricted.json" "$etc/policy.json"
	echo "installed default policy $etc/policy.json (level restricted)"
else
	echo "kept existing $etc/policy.json"
fi
install -d -m 0700 "${DESTDIR:-}/var/log/cinch"
