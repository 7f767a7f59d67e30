package mcpclients

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
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
	env := append(clientEnv(t), "MCP_URL="+s.gate.MCPURL, "MCP_KEY="+adminKey, "MEMBER="+s.lxd.Name)
	sum := runClientMJS(t, dir, env)
	checkSummary(t, sum, len(s.gate.Stack.Tools), s.lxd.Name, true)

	_, _, err := s.lxd.Client().GetClusterMember(s.lxd.Name)
	assert.NoError(t, err, "the refused delete left the member in place")
}

// TestTypeScriptSDKModes runs client.mjs over every way clustergate serves
// MCP (streamable HTTP with and without sessions, stdio), in front of the
// sandbox.
func TestTypeScriptSDKModes(t *testing.T) {
	dir := clients(t)
	bin := cgtest.Binary(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			settings := map[string]string{"CLUSTERGATE_API_KEYS": "admin=" + adminKey, "CLUSTERGATE_MCP_KEY": adminKey,
				"CLUSTERGATE_MCP_STATELESS": fmt.Sprint(m.stateless)}
			gate := cgtest.Start(t, settings)
			env := append(clientEnv(t), "MEMBER=node1")
			if m.stdio {
				cmd := stdioCommand(t, bin, settings)
				command, err := json.Marshal(cmd.Args)
				require.NoError(t, err)
				serverEnv := map[string]string{}
				for _, kv := range cmd.Env {
					k, v, _ := strings.Cut(kv, "=")
					serverEnv[k] = v
				}
				envJSON, err := json.Marshal(serverEnv)
				require.NoError(t, err)
				env = append(env, "MCP_COMMAND="+string(command), "MCP_ENV="+string(envJSON))
			} else {
				env = append(env, "MCP_URL="+gate.MCPURL, "MCP_KEY="+adminKey)
			}
			checkSummary(t, runClientMJS(t, dir, env), len(gate.Stack.Tools), "node1", !m.stdio)
		})
	}
}

// runClientMJS runs client.mjs with env and decodes its summary line.
func runClientMJS(t *testing.T, dir string, env []string) sdkSummary {
	t.Helper()
	// Node resolves packages from the script's folder upwards, so the
	// script runs from a private folder whose node_modules links to the
	// shared install: nothing is written into the cache at run time.
	work := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(dir, "node_modules"), filepath.Join(work, "node_modules")))
	script, err := os.ReadFile("client.mjs")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(work, "client.mjs"), script, 0o644))
	res := node(t, work, env, filepath.Join(work, "client.mjs"))
	require.Equal(t, 0, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	var sum sdkSummary
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &sum), res.stdout)
	t.Logf("client.mjs summary: %s", lines[len(lines)-1])
	return sum
}

// checkSummary asserts what client.mjs saw: every tool annotated, the
// member read back, a missing member as isError, the confirm guard, and
// (over HTTP) no session without the key.
func checkSummary(t *testing.T, sum sdkSummary, tools int, member string, http bool) {
	t.Helper()
	assert.Empty(t, sum.Failures)
	assert.Equal(t, tools, sum.Tools)
	assert.Equal(t, sum.Tools, sum.Annotated, "every tool carries title and the four hints")
	assert.Equal(t, member, sum.MemberServerName)
	assert.True(t, sum.NotFound.IsError)
	assert.Contains(t, sum.NotFound.Text, "HTTP 404 from incus")
	assert.True(t, sum.Refused.IsError)
	assert.Contains(t, sum.Refused.Text, `confirm="`+member+`"`)
	if http {
		assert.True(t, sum.NoKey.Refused, "a client without the key gets no session")
	}
}
