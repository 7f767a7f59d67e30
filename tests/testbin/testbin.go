// Package testbin finds the binary of a test upstream that a build script
// under tests/scripts builds and caches (osdserver, Hydra): an environment
// variable naming a binary wins, else the script runs once per test process
// and prints the binary's path on its last line of stdout. When neither
// gives one the test is skipped, or fails when $CI is "true" (CI must never
// hide a missing dependency).
package testbin

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// stderrTail bounds how much of a failed build's output a test shows.
const stderrTail = 6 << 10

// Script is one upstream's binary, built by Script (a path relative to the
// repository, e.g. tests/scripts/build-hydra.sh) unless Env names one.
type Script struct {
	Name   string // what the binary is, for messages
	Env    string // variable that may name a prebuilt binary
	Script string // repository-relative build script

	once sync.Once
	path string
	err  error
}

// Binary returns the binary's path, skipping or failing the test without one.
func (s *Script) Binary(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.path, s.err = s.find() })
	if s.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no %s binary: %v", s.Name, s.err)
		}
		t.Skipf("no %s binary (set CI=true to make this fatal): %v", s.Name, s.err)
	}
	return s.path
}

func (s *Script) find() (string, error) {
	if p := os.Getenv(s.Env); p != "" {
		return executable(s.Env, p)
	}
	script, err := locate(s.Script)
	if err != nil {
		return "", fmt.Errorf("%w; set %s", err, s.Env)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		out := stderr.String()
		if len(out) > stderrTail {
			out = out[len(out)-stderrTail:]
		}
		return "", fmt.Errorf("%s: %v\n%s", script, err, out)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	return executable(script+" printed", strings.TrimSpace(lines[len(lines)-1]))
}

func executable(from, p string) (string, error) {
	st, err := os.Stat(p)
	switch {
	case err != nil:
		return "", fmt.Errorf("%s %q: %w", from, p, err)
	case st.IsDir() || st.Mode()&0o111 == 0:
		return "", fmt.Errorf("%s %q, which is not an executable file", from, p)
	}
	return p, nil
}

// locate finds rel above the working directory (go test runs in the
// package's directory) or above this source file.
func locate(rel string) (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if p := filepath.Join(d, rel); fileExists(p) {
				return p, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", errors.New("cannot find " + rel + " above the working directory")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
