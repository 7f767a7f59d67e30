// Command osdserver runs a real OpenStorage SDK server (libopenstorage/openstorage
// v9.4.47: the gRPC SDK, its REST gateway, the cluster manager with an
// in-memory kvdb and the fake volume driver) plus the part of the legacy
// (non-SDK) cluster REST API that pairing needs: POST /v1/cluster/pair, which
// a peer's ClusterPair Create dials (see legacy.go). It exists only as an
// upstream for clustergate end-to-end tests.
//
// Gotcha: the SDK REST gateway itself binds ":<port>" (all interfaces); the
// gRPC and legacy servers bind --host only.
//
// Usage:
//
//	osdserver [flags]              serve; prints one READY line on stdout
//	osdserver mint-token [flags]   print a shared-secret JWT on stdout and exit
//
// When every server is accepting connections the program prints exactly one
// line on stdout:
//
//	READY rest=127.0.0.1:P1 grpc=127.0.0.1:P2 legacy=127.0.0.1:P3 cluster_id=ID cluster_name=NAME auth=false
//
// and keeps serving until SIGTERM or SIGINT. Everything else goes to stderr.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "mint-token" {
		os.Exit(mintTokenMain(os.Args[2:]))
	}
	if err := serveMain(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "osdserver: %v\n", err)
		os.Exit(1)
	}
}
