// Package helmtest runs the real helm binary on clustergate's chart
// (deploy/clustergate) for tests: `helm lint`, and `helm template` parsed
// into objects that decode into the Kubernetes API types.
//
// helm comes from $HELM_BIN, else from the cache tests/scripts/build-helm.sh
// fills (${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/helm-<version>/helm),
// else that script is run (a cold build takes a few minutes). When helm is
// still unavailable the helm tests skip, unless $CI is "true": then they fail.
package helmtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// HelmVersion must match tests/scripts/build-helm.sh.
const HelmVersion = "v3.22.0"

// RepoRoot is the repository's root folder.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok, "cannot locate the test source")
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// ChartDir is deploy/clustergate.
func ChartDir(t testing.TB) string { return filepath.Join(RepoRoot(t), "deploy", "clustergate") }

var helmBin struct {
	sync.Once
	path string
	err  error
}

// Helm returns the helm binary's path, building it once if needed, or skips
// the test (fails it under CI=true) when there is none.
func Helm(t testing.TB) string {
	t.Helper()
	helmBin.Do(func() { helmBin.path, helmBin.err = findHelm(RepoRoot(t)) })
	if helmBin.err != nil {
		msg := fmt.Sprintf("no helm: %v; build it with `bash tests/scripts/build-helm.sh` (or `make test-deps`), or set HELM_BIN", helmBin.err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (set CI=true to make this fatal)")
	}
	return helmBin.path
}

func findHelm(root string) (string, error) {
	if bin := os.Getenv("HELM_BIN"); bin != "" {
		if !executable(bin) {
			return "", fmt.Errorf("HELM_BIN=%s is not an executable file", bin)
		}
		return bin, nil
	}
	cache := os.Getenv("CLUSTERGATE_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no CLUSTERGATE_CACHE and no home directory: %w", err)
		}
		cache = filepath.Join(home, ".cache", "clustergate")
	}
	if bin := filepath.Join(cache, "helm-"+HelmVersion, "helm"); executable(bin) {
		return bin, nil
	}
	// Build it: the script prints the binary's path on its last line.
	cmd := exec.Command("bash", filepath.Join(root, "tests", "scripts", "build-helm.sh"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("tests/scripts/build-helm.sh: %w: %s", err, tail(stderr.String(), 2000))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	bin := lines[len(lines)-1]
	if !executable(bin) {
		return "", fmt.Errorf("tests/scripts/build-helm.sh printed %q, not an executable", bin)
	}
	return bin, nil
}

func executable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// Run runs helm with args from the repository root, in a private
// HELM_* home so no user configuration or repository cache is read.
func Run(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	bin := Helm(t)
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Dir = RepoRoot(t)
	cmd.Env = append(os.Environ(),
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"),
		"KUBECONFIG="+filepath.Join(home, "no-kubeconfig"),
	)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// Release name and namespace every render uses, and the resulting fullname.
const (
	ReleaseName = "cg"
	ReleaseNS   = "gateway"
	Fullname    = "cg-clustergate"
)

// Render runs `helm template` on the chart with --set/--set-string style
// arguments and returns the rendered objects.
func Render(t testing.TB, args ...string) *Rendered {
	t.Helper()
	full := append([]string{"template", ReleaseName, ChartDir(t), "--namespace", ReleaseNS}, args...)
	out, stderr, err := Run(t, full...)
	require.NoError(t, err, "helm %s\n%s", strings.Join(full, " "), stderr)
	return Parse(t, out)
}

// RenderFails runs `helm template` and returns its error output; the render must fail.
func RenderFails(t testing.TB, args ...string) string {
	t.Helper()
	full := append([]string{"template", ReleaseName, ChartDir(t), "--namespace", ReleaseNS}, args...)
	_, stderr, err := Run(t, full...)
	require.Error(t, err, "helm %s should fail", strings.Join(full, " "))
	return stderr
}

// Object is one rendered document.
type Object struct {
	Kind, Name, Namespace string
	Raw                   []byte // the document as JSON
	Source                string // the template it came from
}

type Rendered struct {
	Objects []Object
	Text    string // the whole output
}

// Parse splits helm's multi-document YAML into objects.
func Parse(t testing.TB, manifests string) *Rendered {
	t.Helper()
	r := &Rendered{Text: manifests}
	dec := yaml.NewDecoder(strings.NewReader(manifests))
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "rendered manifests are not YAML:\n%s", manifests)
		var doc map[string]any
		require.NoError(t, node.Decode(&doc))
		if doc == nil {
			continue
		}
		raw, err := json.Marshal(doc)
		require.NoError(t, err)
		var meta struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		require.NoError(t, json.Unmarshal(raw, &meta))
		require.NotEmpty(t, meta.Kind, "a rendered document has no kind: %s", raw)
		require.NotEmpty(t, meta.Metadata.Name, "a rendered %s has no name", meta.Kind)
		r.Objects = append(r.Objects, Object{Kind: meta.Kind, Name: meta.Metadata.Name,
			Namespace: meta.Metadata.Namespace, Raw: raw, Source: sourceComment(node)})
	}
	return r
}

// sourceComment is helm's "# Source: chart/templates/x.yaml" head comment.
func sourceComment(n yaml.Node) string {
	c := n.HeadComment
	if len(n.Content) > 0 {
		c += n.Content[0].HeadComment
	}
	for _, line := range strings.Split(c, "\n") {
		if s, ok := strings.CutPrefix(line, "# Source: "); ok {
			return s
		}
	}
	return ""
}

// Kinds returns the objects of one kind.
func (r *Rendered) Kinds(kind string) []Object {
	var out []Object
	for _, o := range r.Objects {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

// One decodes the only object of kind into out (a Kubernetes API type),
// refusing fields that type does not have (a misspelt field would otherwise
// be silently dropped by the API server's decoder or ignored by kubectl).
func (r *Rendered) One(t testing.TB, kind string, out any) Object {
	t.Helper()
	objs := r.Kinds(kind)
	require.Len(t, objs, 1, "want exactly one %s; rendered: %s", kind, r.Summary())
	DecodeStrict(t, objs[0], out)
	return objs[0]
}

func DecodeStrict(t testing.TB, o Object, out any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(o.Raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(out), "%s %s (%s) does not decode as %T", o.Kind, o.Name, o.Source, out)
}

func (r *Rendered) Summary() string {
	var s []string
	for _, o := range r.Objects {
		s = append(s, o.Kind+"/"+o.Name)
	}
	return strings.Join(s, ", ")
}
