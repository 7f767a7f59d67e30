package config

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// checkEmbedded fails when the text between the markers in file differs
// from want; with UPDATE_DOCS=1 it rewrites the file instead.
func checkEmbedded(t *testing.T, file, name, want string) {
	t.Helper()
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	doc := string(raw)
	start, stop := strings.Index(doc, begin), strings.Index(doc, end)
	require.True(t, start >= 0 && stop > start, "%s lacks the %s markers", file, name)
	updated := doc[:start+len(begin)] + want + doc[stop:]
	if os.Getenv("UPDATE_DOCS") == "1" {
		require.NoError(t, os.WriteFile(file, []byte(updated), 0o644))
		return
	}
	require.Equal(t, updated, doc, "%s's %s is stale: run UPDATE_DOCS=1 go test ./internal/config/", file, name)
}

// TestReadmeConfigReferenceIsCurrent fails when README.md's configuration
// table differs from the settings in code. Fix: UPDATE_DOCS=1 go test ./internal/config/
func TestReadmeConfigReferenceIsCurrent(t *testing.T) {
	checkEmbedded(t, "../../README.md", "config-reference", Reference())
}

// TestHelmValuesReferenceIsCurrent keeps the chart's values reference equal
// to the settings' helm tags. Fix: UPDATE_DOCS=1 go test ./internal/config/
func TestHelmValuesReferenceIsCurrent(t *testing.T) {
	checkEmbedded(t, "../../deploy/clustergate/README.md", "values-reference", HelmReference())
}

// TestHelmTagsNameRealValues: every helm tag names a value that exists in
// the chart's values.yaml, so the reference cannot point at nothing.
func TestHelmTagsNameRealValues(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/clustergate/values.yaml")
	require.NoError(t, err)
	var values map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &values))
	n := 0
	for _, s := range Settings() {
		if s.Helm == "" {
			continue
		}
		n++
		var node any = values
		for _, part := range strings.Split(s.Helm, ".") {
			m, ok := node.(map[string]any)
			require.True(t, ok, "%s: helm value %s: %s is not a mapping", s.Flag, s.Helm, part)
			node, ok = m[part]
			assert.True(t, ok, "%s: helm value %s does not exist in values.yaml", s.Flag, s.Helm)
		}
	}
	assert.Greater(t, n, 10, "most settings are set by the chart")
}
