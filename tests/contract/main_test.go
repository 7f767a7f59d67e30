package contract

import (
	"os"
	"testing"

	"github.com/clustergate/clustergate/tests/kubetest"
)

// TestMain stops the management cluster the Cluster API variants share
// (Cluster API's controllers take ~45 s to start: one per test binary).
func TestMain(m *testing.M) {
	code := m.Run()
	kubetest.StopShared()
	os.Exit(code)
}
