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
func TestEveryOperationReferencesTheSharedUpstreamParameterAndErrorResponse(t *testing.T) {
	docs, results := generated(t)
	for _, r := range results {
		raw := rawDoc(t, r.YAML)
		for path, ops := range raw["paths"].(map[string]any) {
			for method, op := range ops.(map[string]any) {
				if !isMethod(method) {
					continue
				}
				o := op.(map[string]any)
				assert.Contains(t, o["parameters"], map[string]any{"$ref": "#/components/parameters/Upstream"},
					"%s %s %s", r.Surface.Name, method, path)
				assert.Equal(t, map[string]any{"$ref": "#/components/responses/DefaultError"}, o["responses"].(map[string]any)["default"],
					"%s %s %s", r.Surface.Name, method, path)
			}
		}
		p := docs[r.Surface.Name].Components.Parameters["Upstream"]
		require.NotNil(t, p, r.Surface.Name)
		assert.Equal(t, "upstream", p.Value.Name)
		assert.Equal(t, "query", p.Value.In)
		assert.False(t, p.Value.Required)
		assert.Equal(t, "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", p.Value.Schema.Value.Pattern)
		e := docs[r.Surface.Name].Components.Responses["DefaultError"]
		require.NotNil(t, e, r.Surface.Name)
		assert.Equal(t, "Error", *e.Value.Description)
		assert.Equal(t, "#/components/schemas/Error", e.Value.Content.Get("application/json").Schema.Ref)
	}
}

func rawDoc(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(b, &doc))
	return doc
}
