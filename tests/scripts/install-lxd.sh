#!/usr/bin/env bash
# install-lxd.sh installs Debian's lxd package so tests/lxdtest can start real
# LXD daemons. It is idempotent and safe to run on a fresh Debian bookworm
# machine as root, non-interactively (CI).
#
# The package's own daemon is NOT started: tests run private daemons with their
# own LXD_DIR, and a system daemon would only waste memory and hold ports.
set -euo pipefail

log() { printf 'install-lxd: %s\n' "$*"; }

# Same lookup as tests/lxdtest: PATH first, then Debian's locations (which a
# non-login root shell may lack in PATH).
for bin in "$(command -v lxd || true)" /usr/bin/lxd /usr/sbin/lxd; do
	if [[ -n "$bin" && -x "$bin" ]]; then
		log "lxd already installed at $bin; nothing to do"
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
apt_opts=(-q -o DPkg::Lock::Timeout=120)
log "running apt-get update"
apt-get "${apt_opts[@]}" update
log "running apt-get install -y lxd"
apt-get "${apt_opts[@]}" install -y lxd

for bin in /usr/bin/lxd /usr/sbin/lxd; do
	if [[ -x "$bin" ]]; then
		log "installed: $bin ($("$bin" --version 2>/dev/null || echo unknown version))"
		exit 0
	fi
done
log "apt-get finished but no lxd binary found in /usr/bin or /usr/sbin" >&2
exit 1
