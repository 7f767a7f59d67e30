# clustergate build, generation and test entry points.
# `make run` and `make test` are the two commands a newcomer needs.

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# Test upstreams and tools are built once and cached here, keyed by version.
export CLUSTERGATE_CACHE ?= $(HOME)/.cache/clustergate
GENERATED := openapi generated go.mod go.sum
# `make install` puts the binary at $(PREFIX)/bin/clustergate: the path the
# MCP client configurations in README.md run (a test keeps them equal).
PREFIX    ?= /usr/local

.PHONY: build install run generate check-generated test test-deps vet fuzz-short bench bench-ab clean

build: ## build bin/clustergate
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/clustergate ./cmd/clustergate

install: build ## install bin/clustergate as $(PREFIX)/bin/clustergate (default /usr/local/bin/clustergate)
	install -D -m 0755 bin/clustergate $(DESTDIR)$(PREFIX)/bin/clustergate

run: build ## build and start the server on :8080
	./bin/clustergate serve

generate: ## derive openapi/*.yaml from the pins, then regenerate generated/
	$(GO) run ./cmd/specgen
	$(GO) generate ./generated/...
	$(GO) run ./cmd/toolsgen

check-generated: generate ## fail when `make generate` changes the tree
	@if ! git diff --quiet -- $(GENERATED) || [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
		git status --short -- $(GENERATED); \
		echo "generated code is out of date: run 'make generate' and commit the result"; exit 1; \
	fi
	@echo "generated code is up to date"

vet:
	$(GO) vet ./...

# The /v1 contract (REST routes and MCP tools) across changes: see README "Following upstream".
.PHONY: api-diff check-api release-api bump
BASE ?= HEAD
api-diff: ## every change to the facade specs and MCP tools since BASE (a git ref, default HEAD), breaking first
	@$(GO) run ./cmd/apidiff diff -base '$(BASE)'

check-api: ## fail on a breaking change against openapi/baseline/ not acknowledged in openapi/breaking-changes.yaml
	@$(GO) run ./cmd/apidiff check

release-api: ## VERSION=x.y.z: make the current specs the released baseline and append to docs/API-CHANGELOG.md
	$(GO) run ./cmd/apidiff release -version '$(VERSION)'

# Tests that need no upstream: what a pin bump must keep green before review.
OFFLINE_TESTS ?= ./internal/... ./mcp/... ./handlers/... ./sandbox/... ./tests/tools/
bump: ## UPSTREAM=<surface> VERSION=<v>: move a pin, regenerate, build, show both diffs, run the offline tests
	@test -n '$(UPSTREAM)' -a -n '$(VERSION)' || { echo 'usage: make bump UPSTREAM=<surface in openapi/pins.yaml> VERSION=<version>'; exit 2; }
	@old=$$($(GO) run ./cmd/apidiff pin '$(UPSTREAM)' '$(VERSION)') && echo "bump: $(UPSTREAM) $$old -> $(VERSION)" && \
	$(MAKE) --no-print-directory generate && $(GO) build ./... && echo "bump: go build ./... ok" && \
	$(GO) run ./cmd/apidiff upstream '$(UPSTREAM)' "$$old" '$(VERSION)' && \
	$(GO) run ./cmd/apidiff diff -base HEAD && \
	{ $(GO) run ./cmd/apidiff check || true; } && \
	$(GO) test -count=1 $(OFFLINE_TESTS)

test-deps: ## install and build what the end-to-end tests need
	bash tests/scripts/install-lxd.sh
	bash tests/scripts/install-incus.sh
	bash tests/scripts/build-osdserver.sh
	bash tests/scripts/build-kube.sh
	bash tests/scripts/build-capi.sh
	bash tests/scripts/build-helm.sh
	bash tests/scripts/install-chromium.sh
	bash tests/scripts/install-speclint.sh
	bash tests/scripts/install-nginx.sh
	bash tests/scripts/build-hydra.sh

test: check-generated vet test-deps ## the whole suite, real upstreams included, a race pass over the concurrent code, then a short fuzz run
	$(MAKE) --no-print-directory check-api
	$(GO) test -count=1 -timeout 30m ./...
	$(GO) test -race -count=1 -timeout 10m ./adapters/... ./mcp/... ./internal/server/... ./sandbox/...
	$(MAKE) fuzz-short

# One fuzzer per invocation (go test's rule). Short minimization: inputs
# grown from the real spec seeds would otherwise be minimized for up to 60 s
# each. Plain `go test ./...` already runs every seed corpus.
FUZZTIME ?= 10s
fuzz-short: ## run each fuzzer for FUZZTIME (a crasher lands in <pkg>/testdata/fuzz)
	$(GO) test -run '^$$' -fuzz '^FuzzRequest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/server/
	$(GO) test -run '^$$' -fuzz '^FuzzCapability$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/specgen/
	$(GO) test -run '^$$' -fuzz '^FuzzOverlay$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/specgen/
	$(GO) test -run '^$$' -fuzz '^FuzzFixExamples$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./internal/specgen/
	$(GO) test -run '^$$' -fuzz '^FuzzToolArguments$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s ./mcp/

bench: ## benchmarks, soak and profiles against side-by-side baselines; writes docs/BENCHMARKS.md
	bash tests/scripts/install-lxd.sh
	bash tests/scripts/install-incus.sh
	bash tests/scripts/install-nginx.sh
	bash tests/scripts/bench.sh

bench-ab: ## per-request cost of the working tree against OLD=<rev>, interleaved, medians and ratios
	bash tests/scripts/bench-ab.sh $(OLD)

clean:
	rm -rf bin
