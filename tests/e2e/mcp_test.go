package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// keyTransport sends an API key on every request of the MCP client.
type keyTransport struct{ key string }

func (k keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+k.key)
	return http.DefaultTransport.RoundTrip(r)
}

func mcpSession(t *testing.T, url, key string) (*sdk.ClientSession, error) {
	t.Helper()
	c := sdk.NewClient(&sdk.Implementation{Name: "clustergate-e2e", Version: "1"}, nil)
	s, err := c.Connect(ctx(t), &sdk.StreamableClientTransport{Endpoint: url,
		HTTPClient: &http.Client{Transport: keyTransport{key: key}}}, nil)
	if err == nil {
		t.Cleanup(func() { _ = s.Close() })
	}
	return s, err
}

func call(t *testing.T, s *sdk.ClientSession, name string, args map[string]any) *sdk.CallToolResult {
	t.Helper()
	res, err := s.CallTool(ctx(t), &sdk.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err, name)
	return res
}

func text(res *sdk.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// TestMCPToolsAgainstLXD drives the Incus tools with the Go SDK client over
// streamable HTTP, against a real LXD 5.0 and a real Incus 6.0, and checks
// that a tool call changes the upstream the way the REST call does.
func TestMCPToolsAgainstLXD(t *testing.T) {
	for _, k := range lxdtest.Kinds {
		t.Run(k.Name, func(t *testing.T) { testMCPTools(t, k.Start(t)) })
	}
}

func testMCPTools(t *testing.T, d *lxdtest.Daemon) {
	gate := cgtest.Start(t, map[string]string{"INCUS_SOCKET": d.Socket, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	s, err := mcpSession(t, gate.MCPURL, adminKey)
	require.NoError(t, err)

	list, err := s.ListTools(ctx(t), nil)
	require.NoError(t, err)
	names := map[string]*sdk.Tool{}
	for _, tool := range list.Tools {
		names[tool.Name] = tool
	}
	for _, want := range []string{"get-cluster-members", "partially-update-cluster-member", "delete-cluster-member",
		"enumerate-returns-list-cluster-pairs", "delete-cluster-pair", "get-operation"} {
		assert.Contains(t, names, want)
	}
	assert.True(t, *names["delete-cluster-member"].Annotations.DestructiveHint)
	assert.True(t, names["get-cluster-members"].Annotations.ReadOnlyHint)

	_, err = s.CallTool(ctx(t), &sdk.CallToolParams{Name: "no-such-tool"})
	assert.ErrorContains(t, err, "no-such-tool", "an unknown tool is a protocol error")

	members := call(t, s, "get-cluster-members", nil)
	require.False(t, members.IsError, text(members))
	assert.Equal(t, []any{"/v1/1-0/cluster/members/" + d.Name}, members.StructuredContent.(map[string]any)["items"],
		"a list answer is wrapped under items")

	got := call(t, s, "get-cluster-member", map[string]any{"name": d.Name})
	require.False(t, got.IsError, text(got))
	var member gen.ClusterMember
	raw, _ := json.Marshal(got.StructuredContent)
	require.NoError(t, json.Unmarshal(raw, &member))
	assert.Equal(t, d.Name, *member.ServerName)

	patched := call(t, s, "partially-update-cluster-member", map[string]any{"name": d.Name, "body": map[string]any{"description": "set by an agent"}})
	require.False(t, patched.IsError, text(patched))
	upstream, _, err := d.Client().GetClusterMember(d.Name)
	require.NoError(t, err)
	assert.Equal(t, "set by an agent", upstream.Description, "the tool call reached the upstream")
	var written gen.ClusterMember
	raw, _ = json.Marshal(patched.StructuredContent)
	require.NoError(t, json.Unmarshal(raw, &written))
	assert.Equal(t, "set by an agent", *written.Description, "the tool result carries the member as written")

	grp := call(t, s, "create-cluster-group", map[string]any{"body": map[string]any{"name": "agents", "description": "made by an agent"}})
	require.False(t, grp.IsError, text(grp))
	assert.Equal(t, "made by an agent", grp.StructuredContent.(map[string]any)["description"], "the tool result carries the group")
	groups := call(t, s, "get-cluster-groups", map[string]any{})
	require.False(t, groups.IsError, text(groups))
	assert.Contains(t, text(groups), `"agents"`)
	gone := call(t, s, "delete-cluster-group", map[string]any{"name": "agents", "confirm": "agents"})
	require.False(t, gone.IsError, text(gone))
	_, _, err = d.Client().GetClusterGroup("agents")
	assert.Error(t, err, "the group was deleted upstream")

	refused := call(t, s, "delete-cluster-member", map[string]any{"name": d.Name})
	assert.True(t, refused.IsError)
	assert.Contains(t, text(refused), `confirm="`+d.Name+`"`)
	_, _, err = d.Client().GetClusterMember(d.Name)
	assert.NoError(t, err, "the refused destructive call did nothing")

	missing := call(t, s, "get-cluster-member", map[string]any{"name": "nobody"})
	assert.True(t, missing.IsError)
	assert.Contains(t, text(missing), "HTTP 404 from incus")

	bad := call(t, s, "request-join-token", map[string]any{"body": map[string]any{}})
	assert.True(t, bad.IsError)
	assert.Contains(t, text(bad), "server_name", "validation names the field over MCP too")

	unknown := call(t, s, "get-cluster-member", map[string]any{"name": d.Name, "nmae": "typo"})
	assert.True(t, unknown.IsError)
	assert.Contains(t, text(unknown), `unknown argument "nmae"`)

	tok := call(t, s, "request-join-token", map[string]any{"body": map[string]any{"server_name": "agent-joiner"}})
	require.False(t, tok.IsError, text(tok))
	assert.NotEmpty(t, tok.StructuredContent.(map[string]any)["token"])

	assert.Contains(t, gate.Logs(), `"operation":"clustermemberpatch"`, "tool calls go through the logged handler chain")
}

// TestMCPNeedsAKey refuses an MCP client without a configured key.
func TestMCPNeedsAKey(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	_, err := mcpSession(t, gate.MCPURL, "wrong-key")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Unauthorized")
	s, err := mcpSession(t, gate.MCPURL, adminKey)
	require.NoError(t, err)
	_, err = s.ListTools(context.Background(), nil)
	assert.NoError(t, err)
}

// TestMCPStdio runs `clustergate mcp` as a subprocess, as a desktop MCP
// client would, and calls a read tool against a real LXD.
func TestMCPStdio(t *testing.T) {
	d := lxdtest.Start(t)
	cmd := exec.Command(cgtest.Binary(t), "mcp")
	cmd.Env = append(os.Environ(), "INCUS_SOCKET="+d.Socket, "CLUSTERGATE_API_KEYS=viewer=stdio-key", "CLUSTERGATE_MCP_KEY=stdio-key")
	c := sdk.NewClient(&sdk.Implementation{Name: "clustergate-e2e", Version: "1"}, nil)
	s, err := c.Connect(ctx(t), &sdk.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err)
	defer s.Close()
	list, err := s.ListTools(ctx(t), nil)
	require.NoError(t, err)
	names := map[string]bool{}
	for _, tool := range list.Tools {
		names[tool.Name] = true
		assert.True(t, tool.Annotations.ReadOnlyHint, "a viewer key sees read tools only: %s", tool.Name)
	}
	assert.True(t, names["get-cluster-configuration"])
	assert.False(t, names["gettoken-returns-auth-token"], "reads that reveal a secret need admin")
	res := call(t, s, "get-cluster-configuration", nil)
	require.False(t, res.IsError, text(res))
	assert.Equal(t, d.Name, res.StructuredContent.(map[string]any)["server_name"])
}
