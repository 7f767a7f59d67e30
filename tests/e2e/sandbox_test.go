package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/tests/cgtest"
)

// TestSandboxServesUnconfiguredSurfaces is the first run: nothing is
// configured, so every surface answers from its sandbox, and says so.
func TestSandboxServesUnconfiguredSurfaces(t *testing.T) {
	gate := cgtest.Start(t, nil)
	x := ctx(t)
	c, err := gen.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	members, err := c.Clustermembersgetrecursion1WithResponse(x, &gen.Clustermembersgetrecursion1Params{})
	require.NoError(t, err)
	require.Equal(t, 200, members.StatusCode(), string(members.Body))
	assert.Len(t, *members.JSON200, 3, "a 3-member cluster")
	assert.Equal(t, "sandbox", members.HTTPResponse.Header.Get("X-Clustergate-Backend"))

	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	evac := call(t, s, "evacuate-restore-cluster-member", map[string]any{"name": "node2", "confirm": "node2", "body": map[string]any{"action": "evacuate"}})
	require.False(t, evac.IsError, text(evac))
	node2, err := c.ClustermembergetWithResponse(x, "node2", nil)
	require.NoError(t, err)
	assert.Equal(t, "Evacuated", *node2.JSON200.Status, "the MCP call changed the sandbox as REST sees it")

	cc, err := capi.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	created, err := cc.CreateclusterWithResponse(x, "default", &capi.CreateclusterParams{}, newCluster("sandboxed"))
	require.NoError(t, err)
	require.Equal(t, 202, created.StatusCode(), string(created.Body))
	phases := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !phases["Provisioned"] {
		got, err := cc.GetclusterWithResponse(x, "default", "sandboxed", nil)
		require.NoError(t, err)
		require.Equal(t, 200, got.StatusCode(), string(got.Body))
		if got.JSON200.Phase != nil {
			phases[*got.JSON200.Phase] = true
		}
		time.Sleep(200 * time.Millisecond)
	}
	assert.True(t, phases["Provisioned"], "the cluster finished provisioning: saw %v", phases)
}

// TestConfiguredSurfacesSayUpstream marks answers from a real upstream too.
func TestConfiguredSurfacesSayUpstream(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"INCUS_SOCKET": "/nonexistent/unix.socket"})
	resp, err := http.Get(gate.URL + "/v1/1-0/cluster")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "upstream", resp.Header.Get("X-Clustergate-Backend"))
}
