package mcpclients

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of the one-time install. A cold `npm ci` of the pinned clients
// takes well under a minute here; ten means npm is stuck.
const (
	installTimeout = 10 * time.Minute
	lockWait       = installTimeout + time.Minute // another run may be installing
	lockPoll       = 500 * time.Millisecond
	doneMarker     = ".installed" // written last: its presence means node_modules is whole
)

var (
	installOnce sync.Once
	installDir  string
	installErr  error
	installNote string // what the install did, logged by every test that uses it
)

// clients returns the folder holding node_modules for this folder's
// package-lock.json, installing it once per lock file on the machine. It
// skips the test when node or npm is missing or the install fails, or
// fails it under CI=true, where a skip would hide a broken pipeline.
func clients(t *testing.T) string {
	t.Helper()
	installOnce.Do(func() { installDir, installNote, installErr = install() })
	if installErr != nil {
		skipOrFail(t, "MCP clients unavailable: %v", installErr)
	}
	t.Logf("MCP clients in %s (%s)", installDir, installNote)
	return installDir
}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true, so failing instead of skipping)", args...)
	}
	t.Skipf(format, args...)
}

// install runs `npm ci` into ${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/
// mcpclients-<hash of package-lock.json>, outside the repo so the tree
// stays clean and every checkout of the same lock shares one install.
func install() (dir, note string, err error) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "", "", fmt.Errorf("%s not found in PATH: %w", tool, err)
		}
	}
	lock, err := os.ReadFile("package-lock.json")
	if err != nil {
		return "", "", err
	}
	pkg, err := os.ReadFile("package.json")
	if err != nil {
		return "", "", err
	}
	root, err := cacheRoot()
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(lock)
	dir = filepath.Join(root, "mcpclients-"+hex.EncodeToString(sum[:])[:16])
	if done(dir) { // the warm path takes no lock
		return dir, "already installed", nil
	}
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return "", "", err
	}
	defer unlock()
	if done(dir) { // installed by a concurrent run while we waited
		return dir, "installed by a concurrent run", nil
	}
	// A folder without the marker is a crashed install: start over.
	if err := os.RemoveAll(dir); err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), pkg, 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), lock, 0o644); err != nil {
		return "", "", err
	}
	// --ignore-scripts: the only install script (the Inspector's postinstall)
	// is a no-op for a dependency, and skipping scripts guarantees the
	// install fetches nothing beyond the registry tarballs.
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	start := time.Now()
	res := run(ctx, dir, os.Environ(), "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	if res.err != nil || res.code != 0 {
		return "", "", fmt.Errorf("npm ci in %s: exit %d, %v\n%s%s", dir, res.code, res.err, res.stdout, res.stderr)
	}
	note = fmt.Sprintf("npm ci took %s", time.Since(start).Round(time.Second))
	return dir, note, os.WriteFile(filepath.Join(dir, doneMarker), sum[:], 0o644)
}

func cacheRoot() (string, error) {
	if c := os.Getenv("CLUSTERGATE_CACHE"); c != "" {
		return c, os.MkdirAll(c, 0o755)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	c := filepath.Join(home, ".cache", "clustergate")
	return c, os.MkdirAll(c, 0o755)
}

func done(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, doneMarker))
	return err == nil
}

// lockFile takes an exclusive flock on path, so concurrent `go test` runs
// (or packages) install once; it polls so that the wait is bounded.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(lockWait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		time.Sleep(lockPoll)
	}
}
