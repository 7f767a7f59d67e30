// Package fleet runs clustergate as a fleet: the built binary (tests/cgtest)
// as several replicas on loopback, stopped and started again the way a
// rolling update does it.
//
//   - drain_test.go: one replica's graceful stop, step by step: /readyz
//     answers 503 at once while both listeners keep serving for
//     --shutdown-delay, then requests in flight and MCP streams finish within
//     --shutdown-timeout, then exit 0.
//   - fleet_test.go: N replicas behind nginx (Debian nginx-light, installed
//     by tests/scripts/install-nginx.sh) with retries to the next upstream
//     OFF, a steady load from a second process (./loadgen), each replica in
//     turn sent SIGTERM and started again: no request may fail.
package fleet
