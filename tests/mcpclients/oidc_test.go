package mcpclients

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/hydratest"
)

// TestInspectorWithHydraToken: the MCP Inspector CLI with an access token
// from a real ORY Hydra in its Authorization header lists the tools the
// token's scope allows and calls one; without a token it stops at the 401
// (and, told not to start an OAuth flow, exits with its auth code).
func TestInspectorWithHydraToken(t *testing.T) {
	dir := clients(t)
	hydra := hydratest.Start(t)
	client := hydra.CreateClient(t, []string{"clustergate:operator"}, []string{"clustergate"})
	token := hydra.Token(t, client, []string{"clustergate:operator"}, "clustergate")
	g := cgtest.Start(t, map[string]string{"CLUSTERGATE_OIDC_ISSUER": hydra.Issuer, "CLUSTERGATE_OIDC_AUDIENCE": "clustergate"})
	env := clientEnv(t)
	cli := func(header string, args ...string) result {
		base := []string{"--server-url", g.MCPURL, "--transport", "http", "--format", "json", "--stored-auth-only"}
		if header != "" {
			base = append(base, "--header", header)
		}
		return inspector(t, dir, env, append(base, args...)...)
	}

	res := cli("Authorization: Bearer "+token, "--method", "tools/list")
	require.Equal(t, exitOK, res.code, "stderr:\n%s", res.stderr)
	listed := map[string]bool{}
	for _, tl := range decode[listOutput](t, res).Result.Tools {
		listed[tl.Name] = true
	}
	assert.True(t, listed["partially-update-cluster-member"], "an operator changes members")
	assert.False(t, listed["request-join-token"], "join tokens are for admins")

	res = cli("Authorization: Bearer "+token, "--method", "tools/call", "--tool-name", "partially-update-cluster-member",
		"--tool-arg", "name=node2", `body={"description":"set with a Hydra token"}`)
	require.Equal(t, exitOK, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	assert.False(t, decode[callOutput](t, res).Result.IsError)

	res = cli("", "--method", "tools/list")
	assert.Equal(t, exitAuth, res.code, "no token: stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
}
