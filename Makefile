# clustergate build, generation and test entry points.
# `make run` and `make test` are the two commands a newcomer needs.

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# Test upstreams and tools are built once and cached here, keyed by version.
export CLUSTERGATE_CACHE ?= $(HOME)/.cache/clustergate
GENERATED := openapi generated go.mod go.sum

.PHONY: build run generate check-generated test test-deps vet fuzz-short bench clean

build: ## build bin/clustergate
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/clustergate ./cmd/clustergate

run: build ## build and start the server on :8080
	./bin/clustergate serve

generate: ## derive openapi/*.yaml from the pins, then regenerate generated/
	$(GO) run ./cmd/specgen
	$(GO) generate ./generated/...

check-generated: generate ## fail when `make generate` changes the tree
	@if ! git diff --quiet -- $(GENERATED) || [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
		git status --short -- $(GENERATED); \
		echo "generated code is out of date: run 'make generate' and commit the result"; exit 1; \
	fi
	@echo "generated code is up to date"

vet:
	$(GO) vet ./...

test-deps: ## install and build what the end-to-end tests need
	bash tests/scripts/install-lxd.sh
	bash tests/scripts/build-osdserver.sh
	bash tests/scripts/build-kube.sh
	bash tests/scripts/build-capi.sh
	bash tests/scripts/build-helm.sh
	bash tests/scripts/install-chromium.sh

test: check-generated vet test-deps ## the whole suite, real upstreams included, a race pass over the concurrent code, then a short fuzz run
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
	bash tests/scripts/bench.sh

clean:
	rm -rf bin
