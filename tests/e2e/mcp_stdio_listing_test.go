package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
		// A key scoped to one upstream (Portworx's second sandbox): stdio
		// builds the stack before it lists (the scope needs the upstreams'
		// names); the tools of surfaces it cannot reach are left out.
		{name: "key scoped to an upstream", env: map[string]string{"CLUSTERGATE_API_KEYS_FILE": scopedKeyFile(t, key, "sandbox-2"),
			"CLUSTERGATE_MCP_KEY": key}, httpKey: key, absent: []string{"get-cluster-member", "get_cluster"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Incus configured (a socket nobody answers on: nothing is
			// called), Portworx and CAPI from their sandboxes, the same for
			// both processes.
			env := map[string]string{"INCUS_SOCKET": filepath.Join(t.TempDir(), "none.sock")}
			for k, v := range c.env {
				env[k] = v
			}
			gate := cgtest.Start(t, env)
			hs, err := mcpSession(t, gate.MCPURL, c.httpKey)
			require.NoError(t, err)
			overHTTP, err := hs.ListTools(ctx(t), nil)
			require.NoError(t, err)

			cmd := exec.Command(cgtest.Binary(t), "mcp")
			cmd.Env = os.Environ()
			for k, v := range env {
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

// scopedKeyFile writes an --api-keys-file with one operator key that reaches
// only the named upstream.
func scopedKeyFile(t *testing.T, key, upstream string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(t.TempDir(), "keys.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf("- name: scoped\n  role: operator\n  sha256: %s\n  upstreams: [%s]\n",
		hex.EncodeToString(sum[:]), upstream)), 0o600))
	return path
}

func namesOf(tools []*sdk.Tool) []string {
	out := make([]string, len(tools))
	for i, t := range tools {
		out[i] = t.Name
	}
	return out
}
