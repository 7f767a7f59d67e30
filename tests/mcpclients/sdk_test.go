package mcpclients

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkSummary is the JSON line client.mjs prints.
type sdkSummary struct {
	Tools            int    `json:"tools"`
	Annotated        int    `json:"annotated"`
	MemberServerName string `json:"memberServerName"`
	NotFound         struct {
		IsError bool   `json:"isError"`
		Text    string `json:"text"`
	} `json:"notFound"`
	Refused struct {
		IsError bool   `json:"isError"`
		Text    string `json:"text"`
	} `json:"refused"`
	NoKey struct {
		Refused bool   `json:"refused"`
		Error   string `json:"error"`
	} `json:"noKey"`
	Failures []string `json:"failures"`
}

// TestTypeScriptSDKClient runs client.mjs, a client on the TypeScript SDK,
// against clustergate's /mcp in front of a real LXD.
func TestTypeScriptSDKClient(t *testing.T) {
	dir := clients(t)
	s := startStack(t)

	// Node resolves packages from the script's folder upwards, so the
	// script runs from a private folder whose node_modules links to the
	// shared install: nothing is written into the cache at run time.
	work := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(dir, "node_modules"), filepath.Join(work, "node_modules")))
	script, err := os.ReadFile("client.mjs")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(work, "client.mjs"), script, 0o644))

	env := append(clientEnv(t), "MCP_URL="+s.gate.MCPURL, "MCP_KEY="+adminKey, "MEMBER="+s.lxd.Name)
	res := node(t, work, env, filepath.Join(work, "client.mjs"))
	require.Equal(t, 0, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)

	var sum sdkSummary
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &sum), res.stdout)
	t.Logf("client.mjs summary: %s", lines[len(lines)-1])
	assert.Empty(t, sum.Failures)
	assert.Equal(t, len(s.gate.Stack.Tools), sum.Tools)
	assert.Equal(t, sum.Tools, sum.Annotated, "every tool carries title and the four hints")
	assert.Equal(t, s.lxd.Name, sum.MemberServerName)
	assert.True(t, sum.NotFound.IsError)
	assert.Contains(t, sum.NotFound.Text, "HTTP 404 from incus")
	assert.True(t, sum.Refused.IsError)
	assert.Contains(t, sum.Refused.Text, `confirm="`+s.lxd.Name+`"`)
	assert.True(t, sum.NoKey.Refused, "a client without the key gets no session")

	_, _, err = s.lxd.Client().GetClusterMember(s.lxd.Name)
	assert.NoError(t, err, "the refused delete left the member in place")
}
