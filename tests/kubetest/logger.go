package kubetest

import (
	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// The harness's clients and envtest log through controller-runtime's global
// logger (API server warnings, envtest's progress). Nothing in a test reads
// those lines, and a process that never sets that logger gets a stack trace
// printed into its test output 30 s after the first one ("log.SetLogger(...)
// was never called"). clustergate itself turns API warnings off
// (adapters/capi newClient).
func init() { ctrllog.SetLogger(logr.Discard()) }
