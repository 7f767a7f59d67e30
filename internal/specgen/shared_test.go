package specgen

import (
	"encoding/json"
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

func TestNoParameterIsWrittenTwiceInAFacade(t *testing.T) {
	_, results := generated(t)
	for _, r := range results {
		seen := map[string]string{}
		raw := rawDoc(t, r.YAML)
		for path, ops := range raw["paths"].(map[string]any) {
			for method, op := range ops.(map[string]any) {
				list, _ := op.(map[string]any)["parameters"].([]any)
				for _, p := range list {
					if p.(map[string]any)["$ref"] != nil {
						continue
					}
					key, err := json.Marshal(p)
					require.NoError(t, err)
					assert.Empty(t, seen[string(key)], "%s: %s %s repeats the parameter of %s", r.Surface.Name, method, path, seen[string(key)])
					seen[string(key)] = method + " " + path
				}
			}
		}
	}
}

// The server serves every surface in one document, where a component name
// must mean one thing.
func TestSharedComponentsOfTheSameNameAgreeAcrossSurfaces(t *testing.T) {
	_, results := generated(t)
	first := map[string]string{}
	for _, r := range results {
		comps := rawDoc(t, r.YAML)["components"].(map[string]any)
		for _, kind := range []string{"parameters", "responses"} {
			for name, v := range comps[kind].(map[string]any) {
				b, err := json.Marshal(v)
				require.NoError(t, err)
				if prev, ok := first[kind+"/"+name]; ok {
					assert.JSONEq(t, prev, string(b), "%s %s differs in %s", kind, name, r.Surface.Name)
				}
				first[kind+"/"+name] = string(b)
			}
		}
	}
}

func TestShareParamsWritesARepeatedParameterOnceAndNamesIt(t *testing.T) {
	member := func() map[string]any {
		return map[string]any{"name": "name", "in": "path", "required": true, "description": "Member", "schema": map[string]any{"type": "string"}}
	}
	nsPath := func() map[string]any {
		return map[string]any{"name": "namespace", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
	}
	nsQuery := func() map[string]any {
		return map[string]any{"name": "namespace", "in": "query", "schema": map[string]any{"type": "string"}}
	}
	ifMatch := func() map[string]any {
		return map[string]any{"name": "If-Match", "in": "header", "schema": map[string]any{"type": "string"}}
	}
	op := func(params ...any) map[string]any { return map[string]any{"parameters": params} }
	doc := map[string]any{
		"components": map[string]any{},
		"paths": map[string]any{
			"/v1/members/{name}":                map[string]any{"get": op(member()), "put": op(member(), ifMatch()), "summary": "not an operation"},
			"/v1/all":                           map[string]any{"get": op(nsQuery()), "post": op(nsQuery(), ifMatch())},
			"/v1/namespaces/{namespace}/things": map[string]any{"get": op(nsPath()), "post": op(nsPath())},
			"/v1/once/{id}":                     map[string]any{"get": op(map[string]any{"name": "id", "in": "path", "required": true})},
		},
	}
	require.NoError(t, shareParams(doc))
	ref := func(name string) map[string]any { return map[string]any{"$ref": "#/components/parameters/" + name} }
	paths := doc["paths"].(map[string]any)
	assert.Equal(t, []any{ref("MemberName"), ref("IfMatch")}, paths["/v1/members/{name}"].(map[string]any)["put"].(map[string]any)["parameters"])
	assert.Equal(t, []any{ref("NamespaceQuery"), ref("IfMatch")}, paths["/v1/all"].(map[string]any)["post"].(map[string]any)["parameters"])
	assert.Equal(t, []any{ref("Namespace")}, paths["/v1/namespaces/{namespace}/things"].(map[string]any)["get"].(map[string]any)["parameters"])
	assert.Equal(t, []any{map[string]any{"name": "id", "in": "path", "required": true}},
		paths["/v1/once/{id}"].(map[string]any)["get"].(map[string]any)["parameters"], "a parameter used once stays where it is")
	assert.Equal(t, map[string]any{"MemberName": member(), "IfMatch": ifMatch(), "Namespace": nsPath(), "NamespaceQuery": nsQuery()},
		doc["components"].(map[string]any)["parameters"])
}
