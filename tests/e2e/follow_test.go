package e2e

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/tests/cgtest"
)

// TestAcceptedCapiNamesGetCluster: a provisioning or deleting cluster is
// followed with get_cluster, not Incus operations. Over REST the 202
// carries a Location on the facade that serves the cluster; over MCP the
// result names the tool and its arguments, and calling them works.
func TestAcceptedCapiNamesGetCluster(t *testing.T) {
	gate := cgtest.Start(t, nil)
	x := ctx(t)
	cc, err := capi.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	created, err := cc.CreateclusterWithResponse(x, "default", &capi.CreateclusterParams{}, newCluster("followed"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, created.StatusCode(), string(created.Body))
	loc := created.HTTPResponse.Header.Get("Location")
	assert.Equal(t, "/v1/capi/namespaces/default/clusters/followed", loc)
	got, err := http.Get(gate.URL + loc)
	require.NoError(t, err)
	got.Body.Close()
	assert.Equal(t, http.StatusOK, got.StatusCode, "the Location is served")

	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	body := newCluster("followed-mcp")
	res := call(t, s, "create_cluster", map[string]any{"namespace": "default", "body": body})
	require.False(t, res.IsError, text(res))
	follow := `follow it with the tool get_cluster and the arguments {"name":"followed-mcp","namespace":"default"}`
	assert.Contains(t, text(res), follow)
	assert.NotContains(t, text(res), "get-operation")
	read := call(t, s, "get_cluster", map[string]any{"name": "followed-mcp", "namespace": "default"})
	assert.False(t, read.IsError, text(read))

	del := call(t, s, "delete_cluster", map[string]any{"namespace": "default", "name": "followed-mcp", "confirm": "followed-mcp"})
	require.False(t, del.IsError, text(del))
	assert.Contains(t, text(del), follow)
}
