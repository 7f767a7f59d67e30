package specgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkAsync(t *testing.T) {
	ref := func(name string) map[string]any {
		return map[string]any{"content": map[string]any{"application/json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/" + name}}}}
	}
	doc := func() map[string]any {
		return map[string]any{
			"components": map[string]any{"schemas": map[string]any{
				"Op":    map[string]any{"properties": map[string]any{"id": map[string]any{}}},
				"Other": map[string]any{"properties": map[string]any{"x": map[string]any{}}},
			}},
			"paths": map[string]any{
				"/ops/{id}": map[string]any{"get": map[string]any{"operationId": "opget", "x-mcp-tool": "get-op",
					"responses": map[string]any{"200": ref("Op")}}},
				"/things": map[string]any{"post": map[string]any{"operationId": "thingpost",
					"responses": map[string]any{"202": ref("Op")}}},
			},
		}
	}
	d := doc()
	require.NoError(t, linkAsync(d))
	accepted := asMap(asMap(asMap(asMap(d["paths"])["/things"])["post"])["responses"])["202"]
	assert.Equal(t, map[string]any{"operationId": "opget", "parameters": map[string]any{"id": "$response.body#/id"},
		"description": "Follow the work still running: GET /ops/{id} (MCP tool get-op)"}, asMap(asMap(accepted)["links"])["poll"])

	d = doc()
	asMap(asMap(asMap(asMap(d["paths"])["/things"])["post"])["responses"])["202"] = ref("Other")
	assert.ErrorContains(t, linkAsync(d), "POST /things answers 202 but no operation follows it")

	d = doc()
	r := ref("Other")
	r["links"] = map[string]any{"poll": map[string]any{"operationId": "nothere"}}
	asMap(asMap(asMap(asMap(d["paths"])["/things"])["post"])["responses"])["202"] = r
	assert.ErrorContains(t, linkAsync(d), `names operation "nothere", which the facade does not serve`)
}
