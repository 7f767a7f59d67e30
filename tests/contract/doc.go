// Package contract holds the contract suites of clustergate's upstreams:
// one set of tests per upstream, written against the handlers' Upstream
// interface and run against every implementation of it, the embedded
// sandbox (sandbox/...) and the real upstream through its real adapter
// (Incus 6.0 and LXD 5.0 via tests/lxdtest, OpenStorage SDK servers via tests/osdtest, a
// kube-apiserver with the Cluster API CRDs via tests/kubetest).
//
// What the variants legitimately do differently is not skipped: each
// variant declares it as a capability, and the tests assert the behaviour
// that capability implies. The real variants skip locally when their
// harness cannot start the upstream, and fail under CI=true.
package contract
