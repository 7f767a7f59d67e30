// Package apidiff runs the contract gate as a developer does: in a scratch
// copy of the repository, a capability or pin is changed, the specs are
// regenerated, and `make check-api` / `make api-diff` judge the result.
// The copies hold only what the commands read, and share the module and
// build caches, so each costs seconds once the caches are warm.
package apidiff

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const repo = "../.."

// run runs a command in dir and returns its combined output and error.
func run(t *testing.T, dir, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("$ %s %s\n%s", name, strings.Join(args, " "), strings.ReplaceAll(out.String(), "\x00", "\n"))
	return out.String(), err
}

func mustRun(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	out, err := run(t, dir, name, args...)
	require.NoError(t, err, "%s %v", name, args)
	return out
}

// gateCopy copies what `specgen` and `make check-api` read: go.mod, go.sum,
// the Makefile, openapi/ and the main-module packages the two commands
// import (as go list names them), without their tests.
func gateCopy(t *testing.T) string {
	dst := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "Makefile"} {
		copyFile(t, filepath.Join(repo, f), filepath.Join(dst, f))
	}
	copyTree(t, filepath.Join(repo, "openapi"), filepath.Join(dst, "openapi"))
	dirs := mustRun(t, repo, "go", "list", "-deps",
		"-f", "{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}", "./cmd/specgen", "./cmd/apidiff")
	root, err := filepath.Abs(repo)
	require.NoError(t, err)
	for _, dir := range strings.Fields(dirs) {
		rel, err := filepath.Rel(root, dir)
		require.NoError(t, err)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasSuffix(e.Name(), "_test.go") {
				copyFile(t, filepath.Join(dir, e.Name()), filepath.Join(dst, rel, e.Name()))
			}
		}
	}
	return dst
}

// fullCopy is the tracked tree as a fresh git repository (api-diff reads
// the base side from git), for a pin bump that must build.
func fullCopy(t *testing.T) string {
	dst := t.TempDir()
	files := mustRun(t, repo, "git", "ls-files", "-z")
	for _, f := range strings.Split(strings.TrimRight(files, "\x00"), "\x00") {
		if f == "" || strings.HasPrefix(f, "tests/") {
			continue // the tests are not built by the bump and hold large fixtures
		}
		if _, err := os.Lstat(filepath.Join(repo, f)); err == nil {
			copyFile(t, filepath.Join(repo, f), filepath.Join(dst, f))
		}
	}
	mustRun(t, dst, "git", "init", "-q")
	mustRun(t, dst, "git", "add", "-A")
	mustRun(t, dst, "git", "-c", "user.email=test@clustergate", "-c", "user.name=test", "commit", "-qm", "base")
	return dst
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
	require.NoError(t, os.WriteFile(dst, data, 0o644))
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		copyFile(t, p, filepath.Join(dst, rel))
		return nil
	}))
}

// editYAML rewrites a YAML file through a function on its generic form.
func editYAML(t *testing.T, path string, edit func(doc map[string]any)) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	edit(doc)
	out, err := yaml.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, out, 0o644))
}

// section returns the lines of out after the line starting with head, up
// to the next blank line.
func section(out, head string) string {
	_, after, ok := strings.Cut(out, head)
	if !ok {
		return ""
	}
	block, _, _ := strings.Cut(after, "\n\n")
	return block
}
