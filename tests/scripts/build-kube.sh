#!/usr/bin/env bash
# Builds the real kube-apiserver and etcd the Cluster API end-to-end tests run
# (through envtest) from tests/upstreams/kube, a separate Go module, into a
# cache outside the repository, and prints that folder on the last line of
# stdout. Build output goes to stderr.
#
#   ${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/kube-<kubernetes version>/{kube-apiserver,etcd}
#
# The folder is what KUBEBUILDER_ASSETS points to: envtest looks for binaries
# named exactly kube-apiserver and etcd there. tests/kubetest computes the same
# path. Existing binaries are reused without building, so a warm run takes well
# under a second; with a warm Go build cache a rebuild takes ~15 s. A cold
# build takes ~10 minutes on 2 cores (measured: etcd 95 s, kube-apiserver
# 490 s) and up to ~2 GB of memory; the module's go.sum is complete, so only
# the Go module proxy is needed.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$script_dir/../upstreams/kube" && pwd)

command -v go >/dev/null 2>&1 || { echo "build-kube: go not found in PATH" >&2; exit 1; }

# Kubernetes version pinned by the module, e.g. v1.36.3.
version=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$src/go.mod")
[[ $version =~ ^v1\.([0-9]+)\.[0-9]+$ ]] || { echo "build-kube: cannot find the k8s.io/kubernetes version in $src/go.mod" >&2; exit 1; }
minor=${BASH_REMATCH[1]}

cache=${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}
dir="$cache/kube-$version"

built() { [[ -x $dir/kube-apiserver && -x $dir/etcd ]]; }

if ! built; then
	mkdir -p "$dir"
	# Serialise concurrent builds (parallel test binaries, make -j).
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$dir.lock"
		flock 9
	fi
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# The version variables kubectl version and /version report; without them
	# the apiserver calls itself v0.0.0-master.
	ldflags="-s -w
		-X k8s.io/component-base/version.gitVersion=$version
		-X k8s.io/component-base/version.gitMajor=1
		-X k8s.io/component-base/version.gitMinor=$minor
		-X k8s.io/component-base/version.gitTreeState=clean"
	build() { # <output name> <package>
		[[ -x $dir/$1 ]] && return 0
		echo "build-kube: building $dir/$1 (a cold build takes ~10 minutes on 2 cores)" >&2
		local start=$SECONDS
		# GOWORK=off: never pick up a go.work from a parent directory.
		(cd "$src" && CGO_ENABLED=0 GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=readonly" \
			go build -trimpath -ldflags "$ldflags" -o "$tmp/$1" "$2") >&2
		mv -f "$tmp/$1" "$dir/$1"
		echo "build-kube: built $1 in $((SECONDS - start))s" >&2
	}
	build etcd ./etcd
	build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
fi

built || { echo "build-kube: $dir lacks kube-apiserver or etcd" >&2; exit 1; }
echo "$dir"
