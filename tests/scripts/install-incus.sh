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
export DEBIAN_FRONTEND=noninteractive

# The backports suite of the mirror this machine already uses.
list=/etc/apt/sources.list.d/clustergate-bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	uri="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
	uri="${uri:-http://deb.debian.org/debian}"
	echo "deb $uri bookworm-backports main" >"$list"
	log "added $list ($uri bookworm-backports)"
fi

# policy-rc.d exiting 101 keeps invoke-rc.d from starting services during the
# install. Keep any pre-existing file and restore it.
policy=/usr/sbin/policy-rc.d
backup=""
if [[ -e "$policy" ]]; then
	backup="$(mktemp /tmp/policy-rc.d.XXXXXX)"
	cp -p "$policy" "$backup"
fi
restore_policy() {
	if [[ -n "$backup" ]]; then mv -f "$backup" "$policy"; else rm -f "$policy"; fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 0755 "$policy"

# Wait for the dpkg lock instead of failing if another apt run holds it.
apt_opts=(-q -o DPkg::Lock::Timeout=600)
log "running apt-get update"
apt-get "${apt_opts[@]}" update
log "installing incus-base incus-client from bookworm-backports"
apt-get "${apt_opts[@]}" install -y --no-install-recommends -t bookworm-backports incus-base incus-client

if [[ ! -x "$daemon" ]]; then
	log "apt-get finished but $daemon is missing" >&2
	exit 1
fi
log "installed: $daemon ($("$daemon" --version 2>/dev/null || echo unknown version))"
