package mcpclients

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// TestInspectorUpstreams: the MCP Inspector (a real client, over HTTP)
// sees one gateway in front of two real clusters: list-upstreams names both
// with their readiness, and a tool's `upstream` argument sends the call to
// that cluster and no other (east is LXD 5.0, west Incus 6.0; each daemon
// is its own one-member cluster, so the member name says who answered).
func TestInspectorUpstreams(t *testing.T) {
	dir := clients(t)
	east, west := lxdtest.Start(t), lxdtest.Incus.Start(t)
	require.NotEqual(t, east.Name, west.Name, "the member names tell the clusters apart")
	cfg := filepath.Join(t.TempDir(), "clustergate.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(
		"upstreams:\n  incus:\n    - name: east\n      socket: %s\n    - name: west\n      socket: %s\n",
		east.Socket, west.Socket)), 0o600))
	g := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	env := clientEnv(t)
	cli := func(args ...string) callOutput {
		t.Helper()
		base := []string{"--server-url", g.MCPURL, "--transport", "http", "--format", "json", "--stored-auth-only",
			"--header", "Authorization: Bearer " + adminKey, "--method", "tools/call"}
		res := inspector(t, dir, env, append(base, args...)...)
		require.Equal(t, exitOK, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
		out := decode[callOutput](t, res)
		require.False(t, out.Result.IsError, out.text())
		return out
	}

	t.Run("list-upstreams", func(t *testing.T) {
		out := cli("--tool-name", "list-upstreams")
		var listed struct {
			Upstreams []struct {
				Upstream, Name, Backend string
				Ready, Default          bool
			} `json:"upstreams"`
		}
		require.NoError(t, json.Unmarshal([]byte(out.text()), &listed), out.text())
		var incus []string
		for _, u := range listed.Upstreams {
			if u.Upstream == "incus" {
				incus = append(incus, fmt.Sprintf("%s default=%t ready=%t backend=%s", u.Name, u.Default, u.Ready, u.Backend))
			}
		}
		assert.Equal(t, []string{"east default=true ready=true backend=upstream", "west default=false ready=true backend=upstream"}, incus, out.text())
	})

	for _, c := range []struct{ upstream, member string }{{"east", east.Name}, {"west", west.Name}} {
		t.Run("get-cluster-members-2 upstream="+c.upstream, func(t *testing.T) {
			out := cli("--tool-name", "get-cluster-members-2", "--tool-arg", "upstream="+c.upstream)
			assert.Contains(t, out.text(), `"server_name":"`+c.member+`"`)
			other := map[string]string{"east": west.Name, "west": east.Name}[c.upstream]
			assert.NotContains(t, out.text(), `"server_name":"`+other+`"`, "only the chosen cluster answered")
		})
	}

	t.Run("write goes to the chosen upstream only", func(t *testing.T) {
		cli("--tool-name", "partially-update-cluster-member", "--tool-arg", "upstream=west",
			"--tool-arg", "name="+west.Name, `body={"description":"west, via the Inspector"}`)
		got, _, err := west.Client().GetClusterMember(west.Name)
		require.NoError(t, err)
		assert.Equal(t, "west, via the Inspector", got.Description)
		kept, _, err := east.Client().GetClusterMember(east.Name)
		require.NoError(t, err)
		assert.NotEqual(t, "west, via the Inspector", kept.Description, "east was not written")
	})
}
