package specgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClassifyEveryOperation: an operation with hints takes its class from
// them, one without from its method, and path-level keys are not
// operations.
func TestClassifyEveryOperation(t *testing.T) {
	doc := map[string]any{"paths": map[string]any{
		"/v1/a": map[string]any{
			"get":        map[string]any{"operationId": "list"},
			"delete":     map[string]any{"operationId": "drop"},
			"post":       map[string]any{"operationId": "make"},
			"put":        map[string]any{"operationId": "hintedRead", "x-mcp-hints": map[string]any{"readOnly": true}},
			"patch":      map[string]any{"operationId": "hintedDestroy", "x-mcp-hints": map[string]any{"destructive": true}},
			"parameters": []any{},
		},
		"/v1/b": map[string]any{
			"get": map[string]any{"operationId": "toolNoReadHint", "x-mcp-hints": map[string]any{"idempotent": true}},
		},
	}}
	require.NoError(t, classify(doc))
	paths := doc["paths"].(map[string]any)
	class := func(path, method string) any {
		return paths[path].(map[string]any)[method].(map[string]any)["x-safety-class"]
	}
	assert.Equal(t, "read", class("/v1/a", "get"))
	assert.Equal(t, "destructive", class("/v1/a", "delete"))
	assert.Equal(t, "write", class("/v1/a", "post"))
	assert.Equal(t, "read", class("/v1/a", "put"))
	assert.Equal(t, "destructive", class("/v1/a", "patch"))
	assert.Equal(t, "write", class("/v1/b", "get"), "a tool that does not say read-only is a write")

	bad := map[string]any{"paths": map[string]any{"/v1/c": map[string]any{
		"get": map[string]any{"x-mcp-hints": "yes"}}}}
	assert.ErrorContains(t, classify(bad), "GET /v1/c")
}

func TestErrorSchemaFollowsTheErrorBody(t *testing.T) {
	s := errorSchema()
	assert.Equal(t, []any{"status", "message"}, s["required"])
	props := s["properties"].(map[string]any)
	assert.Len(t, props, 4)
	assert.Equal(t, "integer", props["status"].(map[string]any)["type"])
	assert.Equal(t, "string", props["request_id"].(map[string]any)["type"])
}
