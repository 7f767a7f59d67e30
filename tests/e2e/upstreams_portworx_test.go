package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	px "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/osdtest"
)

// TestTwoPortworxClustersPairedThroughOneGate: two real OpenStorage SDK
// servers as the named Portworx upstreams dc1 and dc2 of one clustergate,
// paired through it: the token comes from dc2, the pair is created on dc1,
// and each upstream answers for itself.
func TestTwoPortworxClustersPairedThroughOneGate(t *testing.T) {
	dc1 := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-dc1"})
	dc2 := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-dc2"})
	cfg := filepath.Join(t.TempDir(), "clustergate.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(
		"upstreams:\n  portworx:\n    - name: dc1\n      endpoint: %s\n    - name: dc2\n      endpoint: %s\n", dc1.URL(), dc2.URL())), 0o600))
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	c, err := px.NewClientWithResponses(gate.URL, px.WithRequestEditorFn(cgtest.Bearer(adminKey)))
	require.NoError(t, err)
	x := ctx(t)
	on := func(name string) *string { return &name }

	tok, err := c.OpenstorageclusterpairgettokenWithResponse(x, &px.OpenstorageclusterpairgettokenParams{Upstream: on("dc2")})
	require.NoError(t, err)
	require.Equal(t, 200, tok.StatusCode(), string(tok.Body))
	mode := px.DisasterRecovery
	created, err := c.OpenstorageclusterpaircreateWithResponse(x, &px.OpenstorageclusterpaircreateParams{Upstream: on("dc1")},
		pairRequest(dc2, *tok.JSON200.Result.Token, &mode))
	require.NoError(t, err)
	require.Equal(t, 200, created.StatusCode(), string(created.Body))
	assert.Equal(t, dc2.ClusterID, *created.JSON200.Result.RemoteClusterID)
	assert.Equal(t, "cluster-dc2", *created.JSON200.Result.RemoteClusterName)

	onDC1, err := c.OpenstorageclusterpairinspectWithResponse(x, dc2.ClusterID, &px.OpenstorageclusterpairinspectParams{Upstream: on("dc1")})
	require.NoError(t, err)
	require.Equal(t, 200, onDC1.StatusCode(), string(onDC1.Body))
	assert.Equal(t, mode, onDC1.JSON200.Result.PairInfo.Mode)
	// omitted: dc1, the first entry
	byDefault, err := c.OpenstorageclusterpairinspectWithResponse(x, dc2.ClusterID, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, byDefault.StatusCode(), string(byDefault.Body))

	onDC2, err := c.OpenstorageclusterpairenumerateWithResponse(x, &px.OpenstorageclusterpairenumerateParams{Upstream: on("dc2")})
	require.NoError(t, err)
	require.Equal(t, 200, onDC2.StatusCode(), string(onDC2.Body))
	assert.Nil(t, onDC2.JSON200.Result.Pairs, "the pair was created on dc1; dc2 lists none of its own: %s", onDC2.Body)
	selfOnDC2, err := c.OpenstorageclusterpairinspectWithResponse(x, dc2.ClusterID, &px.OpenstorageclusterpairinspectParams{Upstream: on("dc2")})
	require.NoError(t, err)
	assert.Equal(t, 404, selfOnDC2.StatusCode(), "dc2 holds no pair with itself: the create went to dc1 only: %s", selfOnDC2.Body)
}
