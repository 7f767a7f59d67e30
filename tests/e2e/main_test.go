package e2e

import (
	"os"
	"testing"

	"github.com/clustergate/clustergate/tests/kubetest"
)

// TestMain stops the management cluster the Cluster API tests share (one
// per test binary, not per test: Cluster API's manager is slow to start).
func TestMain(m *testing.M) {
	code := m.Run()
	kubetest.StopShared()
	os.Exit(code)
}
