package specgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func swaggerDoc() map[string]any {
	return map[string]any{
		"swagger": "2.0", "info": map[string]any{"title": "t", "version": "1"},
		"paths": map[string]any{
			"/1.0/things/{name}": map[string]any{
				"get": map[string]any{"responses": map[string]any{"200": map[string]any{"$ref": "#/responses/Thing"}}},
				"put": map[string]any{"responses": map[string]any{"200": map[string]any{"description": "ok"}}},
			},
			"/1.0/other": map[string]any{"get": map[string]any{"responses": map[string]any{
				"200": map[string]any{"schema": map[string]any{"$ref": "#/definitions/Other"}}}}},
		},
		"responses": map[string]any{"Thing": map[string]any{"schema": map[string]any{"$ref": "#/definitions/Thing"}}},
		"definitions": map[string]any{
			"Thing": map[string]any{"properties": map[string]any{"part": map[string]any{"$ref": "#/definitions/Part"}}},
			"Part":  map[string]any{"type": "string"},
			"Other": map[string]any{"type": "string"},
			"Extra": map[string]any{"type": "string"},
		},
	}
}

func TestFilterSwagger2KeepsOnlyWhatTheWantedOperationsReach(t *testing.T) {
	out, err := filterDoc(swaggerDoc(), []OpRef{{Path: "/1.0/things/{name}", Method: "GET"}}, []string{"Extra"})
	require.NoError(t, err)
	paths := out["paths"].(map[string]any)
	assert.Len(t, paths, 1)
	assert.NotContains(t, paths["/1.0/things/{name}"], "put", "unwanted method of a kept path")
	assert.ElementsMatch(t, []string{"Thing", "Part", "Extra"}, keys(out["definitions"]))
	assert.ElementsMatch(t, []string{"Thing"}, keys(out["responses"]))

	oas3 := map[string]any{"openapi": "3.0.0", "paths": map[string]any{"/x": map[string]any{"get": map[string]any{
		"responses": map[string]any{"200": map[string]any{"$ref": "#/components/responses/R"}}}}},
		"components": map[string]any{
			"responses": map[string]any{"R": map[string]any{"content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/S"}}}}},
			"schemas": map[string]any{"S": map[string]any{"type": "string"}, "Unused": map[string]any{"type": "string"}}}}
	out, err = filterDoc(oas3, []OpRef{{Path: "/x", Method: "GET"}}, nil)
	require.NoError(t, err)
	comps := out["components"].(map[string]any)
	assert.ElementsMatch(t, []string{"S"}, keys(comps["schemas"]), "OAS 3 components are cut the same way")
	assert.ElementsMatch(t, []string{"R"}, keys(comps["responses"]))
}

func TestFilterSwagger2NamesAMissingOperation(t *testing.T) {
	_, err := filterDoc(swaggerDoc(), []OpRef{{Path: "/1.0/things/{name}", Method: "DELETE"}}, nil)
	assert.EqualError(t, err, "upstream spec has no DELETE /1.0/things/{name}")
}

func TestDeclarePathParamsAddsUndeclaredOnes(t *testing.T) {
	doc := swaggerDoc()
	var rep Repairs
	declarePathParams(doc, func(string) string { return "Thing name" }, &rep)
	op := doc["paths"].(map[string]any)["/1.0/things/{name}"].(map[string]any)["get"].(map[string]any)
	params := op["parameters"].([]any)
	require.Len(t, params, 1)
	assert.Equal(t, map[string]any{"name": "name", "in": "path", "required": true, "type": "string", "description": "Thing name"}, params[0])
	assert.Len(t, rep, 2, "one repair per operation of the path")
	declarePathParams(doc, func(string) string { return "" }, &rep)
	assert.Len(t, rep, 2, "a declared parameter is left alone")
}

func TestFixExamples(t *testing.T) {
	cases := []struct {
		name    string
		schema  map[string]any
		want    any
		dropped bool
	}{
		{"array written as JSON text", map[string]any{"type": "array", "example": `["a","b"]`}, []any{"a", "b"}, false},
		{"matching example kept", map[string]any{"type": "string", "example": "x"}, "x", false},
		{"text that is not an array", map[string]any{"type": "array", "example": "nope"}, nil, true},
		{"number for a string", map[string]any{"type": "string", "example": 3}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rep Repairs
			fixExamples(c.schema, "", &rep)
			ex, has := c.schema["example"]
			assert.Equal(t, !c.dropped, has)
			assert.Equal(t, c.want, ex)
		})
	}
}

func TestMergePatch(t *testing.T) {
	target := map[string]any{"a": 1, "b": map[string]any{"c": 2, "d": 3}, "e": []any{1}}
	patch := map[string]any{"a": nil, "b": map[string]any{"c": 9}, "e": []any{2, 3}, "f": "new"}
	assert.Equal(t, map[string]any{"b": map[string]any{"c": 9, "d": 3}, "e": []any{2, 3}, "f": "new"},
		mergePatch(target, patch))
}

func keys(m any) []string {
	var out []string
	for k := range m.(map[string]any) {
		out = append(out, k)
	}
	return out
}
