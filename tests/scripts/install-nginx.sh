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

if [[ "$(id -u)" -ne 0 ]]; then
	log "must run as root (apt-get install)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# policy-rc.d exiting 101 tells invoke-rc.d/deb-systemd-invoke not to start
# services during installation. Keep any pre-existing file and restore it.
policy=/usr/sbin/policy-rc.d
backup=""
if [[ -e "$policy" ]]; then
	backup="$(mktemp /tmp/policy-rc.d.XXXXXX)"
	cp -p "$policy" "$backup"
	log "saved existing $policy to $backup"
fi
restore_policy() {
	if [[ -n "$backup" ]]; then
		mv -f "$backup" "$policy"
		log "restored original $policy"
	else
		rm -f "$policy"
		log "removed temporary $policy"
	fi
}
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' >"$policy"
chmod 0755 "$policy"
log "installed temporary $policy (blocks service start)"

# Wait for the dpkg lock instead of failing if another apt run holds it.
apt_opts=(-q -o DPkg::Lock::Timeout=600)
log "running apt-get update"
apt-get "${apt_opts[@]}" update
log "running apt-get install -y --no-install-recommends nginx-light"
apt-get "${apt_opts[@]}" install -y --no-install-recommends nginx-light

if [[ -x /usr/sbin/nginx ]]; then
	log "installed: $(/usr/sbin/nginx -v 2>&1)"
	exit 0
fi
log "apt-get finished but /usr/sbin/nginx is missing" >&2
exit 1
