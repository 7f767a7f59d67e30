#!/usr/bin/env bash
# Builds the helm CLI the deployment tests (tests/deploy) run `helm lint` and
# `helm template` with, into a cache outside the repository, and prints the
# binary's path on the last line of stdout. Build output goes to stderr.
#
#   ${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/helm-v3.22.0/helm
#
# Helm is not packaged in Debian bookworm; `go install` builds it from the Go
# module proxy (no other network needed). An existing binary is reused without
# building, so a warm run takes well under a second; a cold build (empty module
# and build caches) takes a few minutes on 2 cores. tests/deploy computes the
# same path.
set -euo pipefail

version=v3.22.0

command -v go >/dev/null 2>&1 || { echo "build-helm: go not found in PATH" >&2; exit 1; }

cache=${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}
dir="$cache/helm-$version"
bin="$dir/helm"

if [[ ! -x $bin ]]; then
	mkdir -p "$dir"
	# Serialise concurrent builds (parallel test binaries, make -j).
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$dir.lock"
		flock 9
	fi
	if [[ ! -x $bin ]]; then
		echo "build-helm: building $bin (a cold build takes a few minutes)" >&2
		tmp=$(mktemp -d "$dir/.build.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		start=$SECONDS
		# Outside any module (cd /) and with GOWORK=off, so neither the
		# repository's go.mod nor a go.work changes what `go install` resolves;
		# GOFLAGS is replaced, as -mod settings make `go install pkg@version` fail.
		export GOWORK=off GOFLAGS=-trimpath CGO_ENABLED=0
		# The ldflags helm's own Makefile sets. Without the Kubernetes version
		# (that of the k8s.io/client-go helm requires) `helm template` and
		# `helm lint` assume Kubernetes v1.20 and refuse charts needing more.
		gomod=$(cd / && go mod download -json "helm.sh/helm/v3@$version" |
			sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
		[[ -f $gomod ]] || { echo "build-helm: cannot download helm.sh/helm/v3@$version" >&2; exit 1; }
		k8s=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod") # e.g. v0.37.0
		[[ $k8s =~ ^v0\.([0-9]+)\. ]] || { echo "build-helm: no k8s.io/client-go version in $gomod" >&2; exit 1; }
		minor=${BASH_REMATCH[1]}
		ldflags="-s -w
			-X helm.sh/helm/v3/internal/version.version=$version
			-X helm.sh/helm/v3/internal/version.gitTreeState=clean
			-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1
			-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor
			-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1
			-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
		(cd / && GOBIN="$tmp" go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$version") >&2
		mv -f "$tmp/helm" "$bin"
		echo "build-helm: built in $((SECONDS - start))s" >&2
	fi
fi

echo "$bin"
