package e2e

import (
	"os"
	"testing"

	"github.com/clustergate/clustergate/tests/kubetest"
)

// TestMain stops the management cluster the Cluster API tests share (Cluster
// API's controllers take ~45 s to start: one per test binary, not per test).
func TestMain(m *testing.M) {
	code := m.Run()
	kubetest.StopShared()
	os.Exit(code)
}
