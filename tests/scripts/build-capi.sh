#!/usr/bin/env bash
# Builds Cluster API's core controller manager (sigs.k8s.io/cluster-api/core)
# from tests/upstreams/capi, a separate Go module, into a cache outside the
# repository, and prints that folder on the last line of stdout. Build output
# goes to stderr.
#
#   ${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/capi-<cluster-api version>/capi-manager
#
# tests/kubetest computes the same path and starts the manager against the
# test kube-apiserver. It also downloads sigs.k8s.io/cluster-api/test at the
# same version, whose docker infrastructure CRDs the tests install.
#
# Existing binaries are reused without building (a warm run takes well under
# a second). Measured cold, right after build-kube.sh on the same Go build
# cache: 636 s wall on 2 cores shared with other builds (load ~24), 3m38s of
# CPU, so ~2-3 minutes on an idle 2-core machine; the binary is ~63 MB.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$script_dir/../upstreams/capi" && pwd)

command -v go >/dev/null 2>&1 || { echo "build-capi: go not found in PATH" >&2; exit 1; }

# Cluster API version pinned by the module, e.g. v1.14.2.
version=$(awk '$1 == "sigs.k8s.io/cluster-api" { print $2; exit }' "$src/go.mod")
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "build-capi: cannot find the sigs.k8s.io/cluster-api version in $src/go.mod" >&2; exit 1; }

cache=${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}
dir="$cache/capi-$version"

# The docker infrastructure CRDs (a few KB; the module cache keeps them).
(cd "$src" && GOWORK=off go mod download "sigs.k8s.io/cluster-api/test@$version") >&2

if [[ ! -x $dir/capi-manager ]]; then
	mkdir -p "$dir"
	# Serialise concurrent builds (parallel test binaries, make -j).
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$dir.lock"
		flock 9
	fi
	if [[ ! -x $dir/capi-manager ]]; then
		tmp=$(mktemp -d "$dir/.build.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		echo "build-capi: building $dir/capi-manager (cluster-api $version; a few minutes once build-kube.sh has warmed the Go build cache)" >&2
		start=$SECONDS
		# GOWORK=off: never pick up a go.work from a parent directory.
		(cd "$src" && CGO_ENABLED=0 GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=readonly" \
			go build -trimpath -ldflags "-s -w -X sigs.k8s.io/cluster-api/version.gitVersion=$version" \
			-o "$tmp/capi-manager" sigs.k8s.io/cluster-api/core) >&2
		mv -f "$tmp/capi-manager" "$dir/capi-manager"
		echo "build-capi: built capi-manager in $((SECONDS - start))s" >&2
	fi
fi

[[ -x $dir/capi-manager ]] || { echo "build-capi: $dir lacks capi-manager" >&2; exit 1; }
echo "$dir"
