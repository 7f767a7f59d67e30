package bench

import (
	"os"
	"testing"
)

// TestMain removes the binaries Binaries built once the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}
