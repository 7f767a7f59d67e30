package e2e

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// capiGate starts clustergate on env's kubeconfig with an API key and
// returns a facade client that sends the key.
// TestCapiManagementClusterAccess checks the kubeconfig settings: a named
// context is used instead of the current one, and an unreachable
// management cluster is a 503 naming the problem.
func TestCapiManagementClusterAccess(t *testing.T) {
	env := kubetest.Start(t)
	cfg, err := clientcmd.Load(env.Kubeconfig)
	require.NoError(t, err)
	good := cfg.Contexts[cfg.CurrentContext]
	broken, err := clientcmd.Load(brokenKubeconfig(t, env.Kubeconfig))
	require.NoError(t, err)
	for name, cl := range broken.Clusters {
		cfg.Clusters["broken-"+name] = cl
	}
	bad := *good
	bad.Cluster = "broken-" + good.Cluster
	cfg.Contexts["envtest"], cfg.Contexts["broken"], cfg.CurrentContext = good, &bad, "broken"
	path := t.TempDir() + "/kubeconfig"
	require.NoError(t, clientcmd.WriteToFile(*cfg, path))

	down, _ := capiGate(t, map[string]string{"KUBECONFIG": path})
	res, err := down.ListclustersWithResponse(ctx(t), &capi.ListclustersParams{})
	require.NoError(t, err)
	require.Equal(t, 503, res.StatusCode(), string(res.Body))
	assert.Contains(t, res.JSON503.Message, "not reachable")

	up, _ := capiGate(t, map[string]string{"KUBECONFIG": path, "CLUSTERGATE_KUBE_CONTEXT": "envtest"})
	res, err = up.ListclustersWithResponse(ctx(t), &capi.ListclustersParams{})
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode(), string(res.Body))

	if os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		return // inside a pod, the in-cluster configuration would apply
	}
	none, _ := capiGate(t, map[string]string{"CLUSTERGATE_SANDBOX": "false"})
	res, err = none.ListclustersWithResponse(ctx(t), &capi.ListclustersParams{})
	require.NoError(t, err)
	require.Equal(t, 503, res.StatusCode(), string(res.Body))
	assert.Contains(t, res.JSON503.Message, "set KUBECONFIG")
}
