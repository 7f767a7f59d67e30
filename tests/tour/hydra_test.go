package tour

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/hydratest"
)

// TestReadmeHydraExample runs the README's ORY Hydra example as written,
// against a real Hydra on free ports: the client it registers gets a token
// whose scope makes its holder an operator of the clustergate it starts.
func TestReadmeHydraExample(t *testing.T) {
	needTool(t, "curl")
	hydra := hydratest.Start(t)
	var cmds []string
	for _, l := range strings.Split(strings.ReplaceAll(snippet(t, "hydra"), "\\\n", " "), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			cmds = append(cmds, l)
		}
	}
	require.Len(t, cmds, 3, "register a client, get a token, start clustergate")
	ports := strings.NewReplacer("http://127.0.0.1:4445", hydra.Admin,
		"http://127.0.0.1:4444/oauth2/token", strings.TrimSuffix(hydra.Issuer, "/")+"/oauth2/token",
		"--oidc-issuer http://127.0.0.1:4444", "--oidc-issuer "+hydra.Issuer)
	run := func(cmd string, env ...string) []byte {
		c := exec.CommandContext(ctx(t), "bash", "-c", ports.Replace(cmd))
		c.Env = cleanEnv(t, env...)
		out, err := c.Output()
		require.NoError(t, err, "%s: %s", cmd, out)
		return out
	}
	var client struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	require.NoError(t, json.Unmarshal(run(cmds[0]), &client))
	var token struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(run(cmds[1], "CLIENT_ID="+client.ID, "CLIENT_SECRET="+client.Secret), &token))
	require.NotEmpty(t, token.AccessToken)

	httpPort, mcpPort := freePort(t), freePort(t)
	serve := strings.Replace(ports.Replace(cmds[2]), "clustergate serve", "exec "+cgtest.Binary(t)+" serve --http-addr 127.0.0.1:"+httpPort+" --mcp-addr 127.0.0.1:"+mcpPort, 1)
	srv := exec.Command("bash", "-c", serve)
	srv.Env = cleanEnv(t)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	waitReady(t, "http://127.0.0.1:"+httpPort+"/healthz")

	patch := func(bearer string) (int, string) {
		req, err := http.NewRequestWithContext(ctx(t), http.MethodPatch, "http://127.0.0.1:"+httpPort+"/v1/1-0/cluster/members/node2",
			strings.NewReader(`{"description":"set with a Hydra token"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	status, body := patch(token.AccessToken)
	assert.Equal(t, http.StatusOK, status, "an operator token changes a member: %s", body)
	status, body = patch("")
	assert.Equal(t, http.StatusUnauthorized, status, body)
}
