package specgen

import (
	"bytes"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// generated runs specgen on the project's real pins (the pinned upstream
// module is fetched through the module cache) and parses the result.
func generated(t *testing.T) (map[string]*openapi3.T, []Result) {
	t.Helper()
	results, err := Generate("../../openapi/pins.yaml")
	require.NoError(t, err)
	docs := map[string]*openapi3.T{}
	for _, r := range results {
		doc, err := openapi3.NewLoader().LoadFromData(r.YAML)
		require.NoError(t, err)
		docs[r.Surface.Name] = doc
	}
	return docs, results
}

func TestIncusFacadeRoutesAndToolsComeFromTheCapability(t *testing.T) {
	docs, _ := generated(t)
	doc := docs["incus-cluster"]
	capDoc, err := LoadCapability("../../openapi/capabilities/incus-cluster.yaml")
	require.NoError(t, err)
	tools := capDoc.ToolsByCall()
	for _, r := range capDoc.RESTOps() {
		item := doc.Paths.Value(r.Path)
		require.NotNil(t, item, r.Path)
		op := item.GetOperation(r.Method)
		require.NotNil(t, op, "%s %s", r.Method, r.Path)
		assert.Equal(t, r.Name, op.OperationID)
		assert.Equal(t, tools[r.Call].Name, op.Extensions["x-mcp-tool"], r.Name)
	}
	assert.Equal(t, 20, countOps(doc), "14 capability routes, the operations route and 5 cluster-group routes")
}

func TestIncusFacadeRepairsAndCorrections(t *testing.T) {
	docs, results := generated(t)
	doc := docs["incus-cluster"]
	member := doc.Paths.Value("/v1/1-0/cluster/members/{name}")
	get := member.Get
	assert.Equal(t, "#/components/schemas/ClusterMember", get.Responses.Value("200").Value.Content.Get("application/json").Schema.Ref,
		"the sync envelope is unwrapped to its metadata")
	require.NotNil(t, get.Parameters.GetByInAndName("path", "name"), "undeclared path parameter is declared")
	assert.NotNil(t, member.Put.Parameters.GetByInAndName("header", "If-Match"), "a 412-documenting write takes If-Match")
	assert.NotNil(t, member.Delete.Responses.Value("204"), "an empty sync answer is 204")
	state := doc.Paths.Value("/v1/1-0/cluster/members/{name}/state").Post
	assert.Equal(t, true, state.Extensions["x-mcp-hints"].(map[string]any)["destructive"], "evacuate is destructive")
	assert.NotNil(t, state.Responses.Value("202"), "async operations may answer 202")
	assert.Equal(t, true, doc.Paths.Value("/v1/1-0/cluster/members").Post.Extensions["x-sensitive"], "join tokens are secrets")
	assert.Contains(t, doc.Components.Schemas, "Error")
	assert.NotEmpty(t, results[0].Repairs)
}

func TestGenerateIsDeterministic(t *testing.T) {
	_, a := generated(t)
	_, b := generated(t)
	for i := range a {
		assert.True(t, bytes.Equal(a[i].YAML, b[i].YAML), a[i].Surface.Name)
	}
}

func countOps(doc *openapi3.T) int {
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	return n
}
