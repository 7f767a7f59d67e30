package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Root is the module's root folder.
func Root() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..")
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
	bins    = map[string]string{}
)

// Binaries builds, once per process, clustergate exactly as `make build`
// does (static, -trimpath, -s -w) and the benchmark helper benchaux, into a
// temporary folder (bin/ is left alone), and returns their paths.
func Binaries(tb testing.TB) (clustergate, aux string) {
	tb.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "cgbench-bin-"); binErr != nil {
			return
		}
		for name, pkg := range map[string]string{"clustergate": "./cmd/clustergate", "benchaux": "./tests/bench/cmd/benchaux"} {
			out := filepath.Join(binDir, name)
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", out, pkg)
			cmd.Dir = Root()
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				binErr = fmt.Errorf("build %s: %v: %s", pkg, err, b)
				return
			}
			bins[name] = out
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return bins["clustergate"], bins["benchaux"]
}
