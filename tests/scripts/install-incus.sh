#!/usr/bin/env bash
# install-incus.sh installs Incus 6.0 (the LTS) from Debian bookworm-backports
# so tests/incustest can start real Incus daemons beside LXD 5.0. Idempotent,
# non-interactive, as root (CI). Cold cost: one apt-get update of the
# backports suite plus ~25 MB of packages (~30 s here).
#
# The package's own daemon is NOT started: tests run private daemons with
# their own INCUS_DIR, as for LXD.
set -euo pipefail

log() { printf 'install-incus: %s\n' "$*"; }

daemon=/usr/libexec/incus/incusd
if [[ -x "$daemon" ]]; then
	log "incusd already installed at $daemon; nothing to do"
	exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
	log "must run as root (apt-get install)" >&2
	exit 1
fi

# The backports suite of the mirror this machine already uses.
list=/etc/apt/sources.list.d/clustergate-bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
	uri="${uri:-http://deb.debian.org/debian}"
	echo "deb $uri bookworm-backports main" >"$list"
	log "added $list ($uri bookworm-backports)"
fi

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install --no-install-recommends -t bookworm-backports incus-base incus-client

if [[ ! -x "$daemon" ]]; then
	log "apt-get finished but $daemon is missing" >&2
	exit 1
fi
log "installed: $daemon ($("$daemon" --version 2>/dev/null || echo unknown version))"
