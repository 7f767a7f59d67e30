package cgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// Binary builds bin/clustergate's command once per test binary, into a
// temporary folder, and returns its path: tests that need the real process
// (stdio MCP, signals) run what `make build` builds.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		dir, err := os.MkdirTemp("", "clustergate-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "clustergate")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/clustergate")
		cmd.Dir = root
		buildOut, buildErr = cmd.CombinedOutput()
	})
	require.NoError(t, buildErr, "build clustergate: %s", buildOut)
	return binPath
}
