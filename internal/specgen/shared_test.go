package specgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// Blocks every operation repeats are written once in components and
// referenced: each process parses the facades at start (issue 13). The
// contract stays the same: the reference resolves to the same definition.
func TestEveryOperationReferencesTheSharedUpstreamParameter(t *testing.T) {
	docs, results := generated(t)
	for _, r := range results {
		raw := rawDoc(t, r.YAML)
		for path, ops := range raw["paths"].(map[string]any) {
			for method, op := range ops.(map[string]any) {
				if !isMethod(method) {
					continue
				}
				assert.Contains(t, op.(map[string]any)["parameters"], map[string]any{"$ref": "#/components/parameters/Upstream"},
					"%s %s %s", r.Surface.Name, method, path)
			}
		}
		p := docs[r.Surface.Name].Components.Parameters["Upstream"]
		require.NotNil(t, p, r.Surface.Name)
		assert.Equal(t, "upstream", p.Value.Name)
		assert.Equal(t, "query", p.Value.In)
		assert.False(t, p.Value.Required)
		assert.Equal(t, "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", p.Value.Schema.Value.Pattern)
	}
}

func rawDoc(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(b, &doc))
	return doc
}
