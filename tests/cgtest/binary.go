package cgtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
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
		dir, err := binDir()
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

// binDir is a folder for this test process's binary under one shared parent;
// folders left by test processes that are gone are removed first, so runs do
// not pile binaries up in the temporary folder.
func binDir() (string, error) {
	parent := filepath.Join(os.TempDir(), "clustergate-test-bin")
	if entries, err := os.ReadDir(parent); err == nil {
		for _, e := range entries {
			if pid, err := strconv.Atoi(e.Name()); err == nil && !alive(pid) {
				_ = os.RemoveAll(filepath.Join(parent, e.Name()))
			}
		}
	}
	dir := filepath.Join(parent, strconv.Itoa(os.Getpid()))
	return dir, os.MkdirAll(dir, 0o755)
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}
