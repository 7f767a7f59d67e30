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

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install lxd

for bin in /usr/bin/lxd /usr/sbin/lxd; do
	if [[ -x "$bin" ]]; then
		log "installed: $bin ($("$bin" --version 2>/dev/null || echo unknown version))"
		exit 0
	fi
done
log "apt-get finished but no lxd binary found in /usr/bin or /usr/sbin" >&2
exit 1
