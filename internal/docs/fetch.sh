#!/usr/bin/env bash
# fetch.sh vendors the pinned Swagger UI build into internal/docs/assets/,
# which the binary embeds to serve /docs without any CDN.
#
#   bash internal/docs/fetch.sh           # (re)vendor the pinned version
#   bash internal/docs/fetch.sh --verify  # check the committed files against npm
#
# To upgrade: change VERSION and INTEGRITY (npm view swagger-ui-dist@X dist.integrity),
# run this script, and commit internal/docs/assets/. The Go test in this
# package checks the committed files against assets/SHA256SUMS and the pin
# below against assets/VERSION, so a hand edit or a half upgrade fails it.
#
# `npm pack` downloads the package tarball only: no dependency is installed
# and no install script runs (swagger-ui-dist depends on @scarf/scarf, an
# install-time analytics package we do not want).
set -euo pipefail

PKG=swagger-ui-dist
VERSION=5.35.0
INTEGRITY=sha512-U06rpMtW9V3XPGOBeamTUSr0Z09jMX4IJuANpE/EZbAhw0G8CgwrzU4YmXkn/h0wCDNsXdGarTNNHC3sU8yVUQ==
# Only what the page loads, plus the licenses that must travel with it.
FILES=(swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt)

log() { printf 'docs/fetch: %s\n' "$*"; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/assets"
verify=false
[[ "${1:-}" == "--verify" ]] && verify=true

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

log "npm pack $PKG@$VERSION"
(cd "$tmp" && npm pack --ignore-scripts --loglevel=error "$PKG@$VERSION" >/dev/null)
tgz="$tmp/$PKG-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [[ "$got" != "$INTEGRITY" ]]; then
	log "integrity mismatch for $PKG@$VERSION: got $got, pinned $INTEGRITY" >&2
	exit 1
fi
tar -xzf "$tgz" -C "$tmp"
pkgver="$(node -p 'require(process.argv[1]).version' "$tmp/package/package.json")"
if [[ "$pkgver" != "$VERSION" ]]; then
	log "tarball holds version $pkgver, expected $VERSION" >&2
	exit 1
fi

out="$tmp/assets"
mkdir "$out"
for f in "${FILES[@]}"; do
	install -m 0644 "$tmp/package/$f" "$out/$f"
done
printf '%s@%s\n' "$PKG" "$VERSION" >"$out/VERSION"
(cd "$out" && LC_ALL=C sha256sum -- "${FILES[@]}" VERSION | LC_ALL=C sort -k2 >"$tmp/SHA256SUMS")
mv "$tmp/SHA256SUMS" "$out/SHA256SUMS"

if $verify; then
	if diff -r "$out" "$dest"; then
		log "internal/docs/assets matches $PKG@$VERSION"
		exit 0
	fi
	log "internal/docs/assets differs from $PKG@$VERSION: run bash internal/docs/fetch.sh" >&2
	exit 1
fi

rm -rf "$dest"
mv "$out" "$dest"
log "vendored $PKG@$VERSION into internal/docs/assets:"
(cd "$dest" && du -b -- * | sort -k2)
