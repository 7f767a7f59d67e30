#!/usr/bin/env bash
# install-chromium.sh installs Debian's chromium package so tests/docs can
# render the /docs page in headless Chromium. It is idempotent and safe to run
# on a fresh Debian bookworm machine as root, non-interactively (CI).
set -euo pipefail

log() { printf 'install-chromium: %s\n' "$*"; }

# Same lookup as tests/docs: PATH first, then Debian's location.
for bin in "$(command -v chromium || true)" /usr/bin/chromium; do
	if [[ -n "$bin" && -x "$bin" ]]; then
		log "chromium already installed at $bin; nothing to do"
		exit 0
	fi
done

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install --no-install-recommends chromium
# Fonts make the screenshot readable; without any font Chromium renders boxes.
apt_install --no-install-recommends fonts-dejavu-core || true
log "installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
