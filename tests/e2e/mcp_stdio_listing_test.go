package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// TestStdioListsWhatHTTPLists: `clustergate mcp` answers its first
// tools/list from the generated listing while it builds the stack, /mcp from
// the built stack; for the same configuration both must list the same tools
// with the same hints and schemas, and both must follow the mode and the
// caller's role.
func TestStdioListsWhatHTTPLists(t *testing.T) {
	const key = "listing-key"
	cases := []struct {
		name     string
		env      map[string]string
		httpKey  string
		absent   []string // tools this configuration must not list
		readOnly bool     // every listed tool only reads
	}{
		{name: "defaults", env: map[string]string{}},
		{name: "read-only", env: map[string]string{"CLUSTERGATE_READ_ONLY": "true"},
			absent: []string{"update-cluster-member", "delete-cluster-group"}, readOnly: true},
		{name: "operator key", env: map[string]string{"CLUSTERGATE_API_KEYS": "operator=" + key, "CLUSTERGATE_MCP_KEY": key},
			httpKey: key, absent: []string{"gettoken-returns-auth-token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gate := cgtest.Start(t, c.env)
			hs, err := mcpSession(t, gate.MCPURL, c.httpKey)
			require.NoError(t, err)
			overHTTP, err := hs.ListTools(ctx(t), nil)
			require.NoError(t, err)

			cmd := exec.Command(cgtest.Binary(t), "mcp")
			cmd.Env = append(os.Environ(), "INCUS_SOCKET="+t.TempDir()+"/none.sock")
			for k, v := range c.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			client := sdk.NewClient(&sdk.Implementation{Name: "clustergate-e2e", Version: "1"}, nil)
			ss, err := client.Connect(ctx(t), &sdk.CommandTransport{Command: cmd}, nil)
			require.NoError(t, err)
			defer ss.Close()
			overStdio, err := ss.ListTools(ctx(t), nil)
			require.NoError(t, err)

			require.NotEmpty(t, overStdio.Tools)
			require.Equal(t, namesOf(overHTTP.Tools), namesOf(overStdio.Tools))
			for i, st := range overStdio.Tools {
				want, _ := json.Marshal(overHTTP.Tools[i])
				got, _ := json.Marshal(st)
				assert.JSONEq(t, string(want), string(got), st.Name)
				if c.readOnly {
					assert.True(t, st.Annotations.ReadOnlyHint, "read-only lists a tool that writes: %s", st.Name)
				}
			}
			for _, n := range c.absent {
				assert.NotContains(t, namesOf(overStdio.Tools), n)
			}
		})
	}
}

func namesOf(tools []*sdk.Tool) []string {
	out := make([]string, len(tools))
	for i, t := range tools {
		out[i] = t.Name
	}
	return out
}
