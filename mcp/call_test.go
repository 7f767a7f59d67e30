package mcp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/incuscluster"
)

func incusTools(t *testing.T) map[string]*Tool {
	t.Helper()
	spec, err := incuscluster.GetSwagger()
	require.NoError(t, err)
	tools, err := deriveSpec("incus-cluster", spec)
	require.NoError(t, err)
	out := map[string]*Tool{}
	for i := range tools {
		out[tools[i].Name] = &tools[i]
	}
	return out
}

// echoRequest answers with what it received, so a test sees the request a
// tool call built.
type echoRequest struct{ status int }

func (e echoRequest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"method": r.Method, "uri": r.URL.RequestURI(),
		"if_match": r.Header.Get("If-Match"), "auth": r.Header.Get("Authorization"), "via": r.Header.Get(ViaHeader), "body": string(body)})
}

func callWith(t *testing.T, h http.Handler, max int, tool *Tool, args string) Outcome {
	t.Helper()
	return (&Caller{Handler: h, MaxResult: max}).Call(context.Background(), tool, json.RawMessage(args), "Bearer k")
}

func TestCallBuildsTheRESTRequest(t *testing.T) {
	tools := incusTools(t)
	o := callWith(t, echoRequest{200}, 0, tools["update-cluster-member"],
		`{"name":"a/b c","if_match":"etag-1","body":{"description":"d"}}`)
	require.False(t, o.IsError, o.Text)
	var got map[string]string
	require.NoError(t, json.Unmarshal([]byte(o.Text), &got))
	assert.Equal(t, "PUT", got["method"])
	assert.Equal(t, "/v1/1-0/cluster/members/a%2Fb%20c", got["uri"], "path values are escaped")
	assert.Equal(t, "etag-1", got["if_match"])
	assert.Equal(t, "Bearer k", got["auth"])
	assert.Equal(t, "mcp", got["via"])
	assert.JSONEq(t, `{"description":"d"}`, got["body"])

	o = callWith(t, echoRequest{200}, 0, tools["get-cluster-members"], `{"filter":"status eq Online"}`)
	require.NoError(t, json.Unmarshal([]byte(o.Text), &got))
	assert.Equal(t, "/v1/1-0/cluster/members?filter=status+eq+Online", got["uri"])
}

func TestCallRefusesBadArguments(t *testing.T) {
	tools := incusTools(t)
	cases := []struct{ tool, args, want string }{
		{"get-cluster-member", `[1]`, "arguments must be a JSON object"},
		{"get-cluster-member", `{}`, `missing argument "name"`},
		{"get-cluster-member", `{"name":"a","bogus":1}`, `unknown argument "bogus"; get-cluster-member takes: name`},
		{"delete-cluster-member", `{"name":"m1"}`, `call it again with confirm="m1"`},
		{"delete-cluster-member", `{"name":"m1","confirm":"m2"}`, `confirm="m1"`},
	}
	for _, c := range cases {
		o := callWith(t, echoRequest{200}, 0, tools[c.tool], c.args)
		assert.True(t, o.IsError, c.args)
		assert.Contains(t, o.Text, c.want)
		assert.Zero(t, o.Status, "refused before any request")
	}
	o := callWith(t, echoRequest{204}, 0, tools["delete-cluster-member"], `{"name":"m1","confirm":"m1"}`)
	assert.False(t, o.IsError, o.Text)
}

func TestErrorsAndCap(t *testing.T) {
	tools := incusTools(t)
	fail := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"status":404,"message":"incus: Cluster member not found","upstream":"incus"}`))
	})
	o := callWith(t, fail, 0, tools["get-cluster-member"], `{"name":"x"}`)
	assert.True(t, o.IsError)
	assert.Equal(t, "HTTP 404 from incus: incus: Cluster member not found", o.Text)

	big := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"server_name":"` + strings.Repeat("x", 5000) + `"}`))
	})
	o = callWith(t, big, 1000, tools["get-cluster-member"], `{"name":"x"}`)
	assert.False(t, o.IsError)
	assert.True(t, o.Truncated)
	assert.Nil(t, o.Structured, "a cut document is not offered as structured content")
	assert.Contains(t, o.Text, "[clustergate: result truncated,")
	assert.LessOrEqual(t, len(o.Text), 1200)
}
