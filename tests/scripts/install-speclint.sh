#!/usr/bin/env bash
# Installs the OpenAPI linters tests/speclint runs (Spectral and Redocly, pinned
# in tests/speclint/package-lock.json) with `npm ci`, into a cache outside the
# repository keyed by the lock file, and prints the install folder on the last
# line of stdout. npm output goes to stderr.
#
#   ${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/speclint-<sha256(lock)[:16]>
#
# A finished install (marker .installed) is reused without touching npm, so a
# warm run takes milliseconds; a cold one about 35 s here (243 packages from
# the npm registry, no install scripts). Both tools run on Node 20.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../speclint" && pwd)
for tool in node npm sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || { echo "install-speclint: $tool not found in PATH" >&2; exit 1; }
done

cache=${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}
sum=$(sha256sum "$here/package-lock.json" | cut -c1-16)
dir="$cache/speclint-$sum"

if [[ ! -f $dir/.installed ]]; then
	mkdir -p "$cache"
	# Serialise concurrent installs (parallel test binaries, make -j).
	exec 9>"$dir.lock"
	flock 9
	if [[ ! -f $dir/.installed ]]; then
		echo "install-speclint: npm ci into $dir" >&2
		rm -rf "$dir" # a folder without the marker is a crashed install
		mkdir -p "$dir"
		cp "$here/package.json" "$here/package-lock.json" "$dir/"
		start=$SECONDS
		# --ignore-scripts: the linters need no install script, and skipping
		# them guarantees nothing is fetched beyond the registry tarballs.
		(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts) >&2
		echo "install-speclint: npm ci took $((SECONDS - start)) s" >&2
		touch "$dir/.installed"
	fi
fi
echo "$dir"
