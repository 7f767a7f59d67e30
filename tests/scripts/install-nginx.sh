#!/usr/bin/env bash
# install-nginx.sh installs Debian's nginx-light so the fleet test
# (tests/fleet) can put a real load balancer in front of several clustergate
# replicas. It is idempotent and safe to run on a fresh Debian bookworm
# machine as root, non-interactively (CI). Cold: one small package and its
# two module dependencies, ~5 s after `apt-get update`; warm: nothing.
#
# The package's own nginx is NOT started: the test runs a private nginx with
# its own prefix, config and loopback ports, and stops it by PID.
set -euo pipefail

log() { printf 'install-nginx: %s\n' "$*"; }

# Same lookup as tests/fleet: PATH first, then Debian's location.
for bin in "$(command -v nginx || true)" /usr/sbin/nginx; do
	if [[ -n "$bin" && -x "$bin" ]]; then
		log "nginx already installed at $bin; nothing to do"
		exit 0
	fi
done

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install --no-install-recommends nginx-light

if [[ -x /usr/sbin/nginx ]]; then
	log "installed: $(/usr/sbin/nginx -v 2>&1)"
	exit 0
fi
log "apt-get finished but /usr/sbin/nginx is missing" >&2
exit 1
