#!/usr/bin/env bash
# Builds ORY Hydra (tests/upstreams/hydra, a separate test-only Go module) into
# a cache outside the repository and prints the binary's path on the last
# line of stdout. Build output goes to stderr.
#
#   ${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/hydra-<version>-<hash>/hydra
#
# <hash> covers the module's go.mod, go.sum and Go files, so an edit builds
# anew; an existing binary is reused. Hydra needs cgo (sqlite) and the
# sqlite,json1 build tags for its in-memory DSN. Cold: a few minutes.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$script_dir/../upstreams/hydra" && pwd)

command -v go >/dev/null 2>&1 || { echo "build-hydra: go not found in PATH" >&2; exit 1; }
command -v gcc >/dev/null 2>&1 || { echo "build-hydra: gcc not found (Hydra's sqlite driver needs cgo)" >&2; exit 1; }

version=$(awk '$1 == "require" && $2 == "github.com/ory/hydra/v2" { print $3; exit }
               $1 == "github.com/ory/hydra/v2" { print $2; exit }' "$src/go.mod")
[[ -n $version ]] || { echo "build-hydra: cannot find the hydra version in $src/go.mod" >&2; exit 1; }

hash=$(cd "$src" && for f in $(LC_ALL=C ls go.mod go.sum *.go); do printf '== %s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-12)
cache=${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}
dir="$cache/hydra-$version-$hash"
bin="$dir/hydra"

if [[ ! -x $bin ]]; then
	mkdir -p "$dir"
	exec 9>"$dir.lock"
	flock 9
	if [[ ! -x $bin ]]; then
		echo "build-hydra: building $bin (hydra $version; a cold build takes minutes)" >&2
		tmp="$dir/.hydra.$$"
		trap 'rm -f "$tmp"' EXIT
		start=$SECONDS
		(cd "$src" && GOWORK=off CGO_ENABLED=1 GOFLAGS="${GOFLAGS:-} -mod=readonly" \
			go build -trimpath -tags sqlite,json1 -o "$tmp" github.com/ory/hydra/v2) >&2
		mv -f "$tmp" "$bin"
		trap - EXIT
		echo "build-hydra: built in $((SECONDS - start))s" >&2
	fi
fi
echo "$bin"
