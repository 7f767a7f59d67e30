#!/usr/bin/env bash
# Builds the OpenStorage SDK test upstream (tests/upstreams/osdserver, a
# separate Go module) into a cache outside the repository and prints the
# binary's path on the last line of stdout. Build output goes to stderr.
#
#   ${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/osdserver-<openstorage version>-<hash>/osdserver
#
# <hash> covers go.mod, go.sum and every *.go file of the module, so any edit
# produces a new directory; an existing binary is reused without building.
# A cold build (empty module cache) takes several minutes; the module's go.sum
# is complete, so only the Go module proxy is needed.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$script_dir/../upstreams/osdserver" && pwd)

command -v go >/dev/null 2>&1 || { echo "build-osdserver: go not found in PATH" >&2; exit 1; }

# openstorage version pinned by the module, e.g. v9.4.47 (+incompatible dropped).
version=$(awk '$1 == "github.com/libopenstorage/openstorage" { print $2; exit }
               $2 == "github.com/libopenstorage/openstorage" { print $3; exit }' "$src/go.mod")
version=${version%+incompatible}
[[ -n $version ]] || { echo "build-osdserver: cannot find the openstorage version in $src/go.mod" >&2; exit 1; }

hash=$(
	cd "$src"
	for f in $(LC_ALL=C ls go.mod go.sum *.go); do
		printf '== %s\n' "$f"
		cat "$f"
	done | sha256sum | cut -c1-12
)

cache=${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}
dir="$cache/osdserver-$version-$hash"
bin="$dir/osdserver"

if [[ ! -x $bin ]]; then
	mkdir -p "$dir"
	# Serialise concurrent builds of the same version (parallel test binaries).
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$dir.lock"
		flock 9
	fi
	if [[ ! -x $bin ]]; then
		echo "build-osdserver: building $bin (openstorage $version; a cold build takes minutes)" >&2
		tmp="$dir/.osdserver.$$"
		trap 'rm -f "$tmp"' EXIT
		start=$SECONDS
		# GOWORK=off: never pick up a go.work from a parent directory.
		# No -trimpath: openstorage's packr boxes (swagger UI) resolve their
		# files from source paths at run time.
		(cd "$src" && GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -o "$tmp" .) >&2
		mv -f "$tmp" "$bin"
		trap - EXIT
		echo "build-osdserver: built in $((SECONDS - start))s" >&2
	fi
fi

echo "$bin"
