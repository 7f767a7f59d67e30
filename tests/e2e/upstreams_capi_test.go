package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// TestTwoManagementClustersBehindOneGate: two real kube-apiservers with the
// Cluster API CRDs as the named upstreams mgmt-a and mgmt-b; list_clusters
// with upstream returns each one's own clusters.
func TestTwoManagementClustersBehindOneGate(t *testing.T) {
	a, b := kubetest.Start(t), kubetest.Start(t)
	for env, name := range map[*kubetest.Env]string{a: "only-on-a", b: "only-on-b"} {
		env.Namespace(t, capiNS)
		env.Create(t, kubetest.ClassicCluster(capiNS, name))
	}
	cfg := filepath.Join(t.TempDir(), "clustergate.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(
		"upstreams:\n  capi:\n    - name: mgmt-a\n      kubeconfig: %s\n    - name: mgmt-b\n      kubeconfig: %s\n",
		a.KubeconfigPath, b.KubeconfigPath)), 0o600))
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	c, err := capi.NewClientWithResponses(gate.URL, capi.WithRequestEditorFn(cgtest.Bearer(adminKey)))
	require.NoError(t, err)
	for upstream, want := range map[string]string{"mgmt-a": "only-on-a", "mgmt-b": "only-on-b", "": "only-on-a"} {
		params := &capi.ListclustersParams{}
		if upstream != "" {
			params.Upstream = &upstream
		}
		res, err := c.ListclustersWithResponse(ctx(t), params)
		require.NoError(t, err)
		require.Equal(t, 200, res.StatusCode(), string(res.Body))
		var names []string
		for _, item := range res.JSON200.Items {
			names = append(names, item.Name)
		}
		assert.Equal(t, []string{want}, names, "upstream %q", upstream)
	}
}
