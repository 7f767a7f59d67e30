# syntax=docker/dockerfile:1
#
# clustergate container image: a static binary on distroless, run as the
# nonroot user (65532), serving REST on :8080 and MCP on :9090.
#
# Inside a container loopback reaches nothing, so the image listens on every
# interface, and clustergate then refuses to start without authentication:
# give CLUSTERGATE_API_KEYS (or CLUSTERGATE_API_KEYS_FILE), or, on purpose,
# CLUSTERGATE_INSECURE_ALLOW_ANONYMOUS=true.
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t clustergate .
#   docker run --rm -p 8080:8080 -p 9090:9090 -e CLUSTERGATE_API_KEYS=admin=s3cret clustergate
#
# The build command is the Makefile's `build` target: CGO_ENABLED=0, -trimpath,
# -s -w, the version stamped into main.version. Settings come from the
# environment (see README.md, Configuration); the Helm chart is deploy/clustergate.

# The Go release go.mod names (go 1.26.x): the builder must be at least that,
# or `go` would try to download a toolchain.
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first, so source edits reuse the downloaded module layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    GOTOOLCHAIN=local go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/clustergate ./cmd/clustergate

# distroless/static: CA certificates, tzdata, /etc/passwd with nonroot (65532);
# no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="clustergate" \
      org.opencontainers.image.description="One typed, secured REST and MCP front over Incus, OpenStorage cluster pairs and the Kubernetes Cluster API" \
      org.opencontainers.image.source="https://github.com/clustergate/clustergate" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/clustergate /clustergate
USER 65532:65532
ENV CLUSTERGATE_HTTP_ADDR=:8080 \
    CLUSTERGATE_MCP_ADDR=:9090
EXPOSE 8080 9090
ENTRYPOINT ["/clustergate", "serve"]
