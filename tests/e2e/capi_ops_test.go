package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// capiGate starts clustergate on env's kubeconfig with an API key and
// returns a facade client that sends the key.
// scaleTopology scales a topology cluster: the count lands in the Cluster's
// topology, by topology name or MachineDeployment name; ambiguity, unknown
// names and stale versions are refused.
func scaleTopology(t *testing.T, env *kubetest.Env, c *capi.ClientWithResponses) {
	x := ctx(t)
	scale := func(body capi.CapiScaleRequest) *capi.ScaleclusterResponse {
		res, err := c.ScaleclusterWithResponse(x, capiNS, "alpha", nil, body)
		require.NoError(t, err)
		return res
	}
	amb := scale(capi.CapiScaleRequest{Replicas: 4})
	require.Equal(t, 400, amb.StatusCode(), string(amb.Body))
	assert.Contains(t, amb.JSON400.Message, "machineDeployment: cluster capi-e2e/alpha has several worker machine deployments (md-0, gpu)")
	unknown := scale(capi.CapiScaleRequest{Replicas: 4, MachineDeployment: ptr("arm")})
	assert.Equal(t, 400, unknown.StatusCode(), string(unknown.Body))
	negative := scale(capi.CapiScaleRequest{Replicas: -1, MachineDeployment: ptr("md-0")})
	require.Equal(t, 400, negative.StatusCode(), string(negative.Body))
	assert.Contains(t, negative.JSON400.Message, "replicas")

	ok := scale(capi.CapiScaleRequest{Replicas: 5, MachineDeployment: ptr("md-0")})
	require.Equal(t, 202, ok.StatusCode(), string(ok.Body))
	assert.Regexp(t, "^/v1/capi/namespaces/"+capiNS+"/clusters/[^/]+$", ok.HTTPResponse.Header.Get("Location"), "followed with get_cluster")
	assert.Equal(t, capi.Topology, ok.JSON202.Target)
	assert.EqualValues(t, 2, *ok.JSON202.PreviousReplicas)
	byObject := scale(capi.CapiScaleRequest{Replicas: 0, MachineDeployment: ptr("alpha-gpu-9fj3q")})
	require.Equal(t, 202, byObject.StatusCode(), string(byObject.Body))
	assert.Equal(t, "gpu", byObject.JSON202.MachineDeployment, "the object name resolves to its topology worker")

	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: capiNS, Name: "alpha"}}
	env.Get(t, cl)
	mds := cl.Spec.Topology.Workers.MachineDeployments
	assert.EqualValues(t, 5, *mds[0].Replicas)
	assert.EqualValues(t, 0, *mds[1].Replicas)
	assert.Equal(t, cl.ResourceVersion, *byObject.JSON202.ResourceVersion)

	stale := scale(capi.CapiScaleRequest{Replicas: 6, MachineDeployment: ptr("md-0"), ResourceVersion: ok.JSON202.ResourceVersion})
	require.Equal(t, 409, stale.StatusCode(), string(stale.Body))
	assert.Contains(t, stale.JSON409.Message, "the object has been modified")
	fresh := scale(capi.CapiScaleRequest{Replicas: 6, MachineDeployment: ptr("md-0"), ResourceVersion: &cl.ResourceVersion})
	require.Equal(t, 202, fresh.StatusCode(), string(fresh.Body))
}

// scaleClassic scales a cluster without topology through its
// MachineDeployment's scale subresource.
func scaleClassic(t *testing.T, env *kubetest.Env, c *capi.ClientWithResponses, cl *clusterv1.Cluster) {
	x := ctx(t)
	res, err := c.ScaleclusterWithResponse(x, cl.Namespace, cl.Name, nil, capi.CapiScaleRequest{Replicas: 3})
	require.NoError(t, err)
	require.Equal(t, 202, res.StatusCode(), string(res.Body))
	assert.Equal(t, capi.MachineDeployment, res.JSON202.Target)
	assert.Equal(t, "legacy-md-0", res.JSON202.MachineDeployment)
	md := &clusterv1.MachineDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: cl.Namespace, Name: "legacy-md-0"}}
	env.Get(t, md)
	assert.EqualValues(t, 3, *md.Spec.Replicas)

	stale, err := c.ScaleclusterWithResponse(x, cl.Namespace, cl.Name, nil, capi.CapiScaleRequest{Replicas: 4, ResourceVersion: ptr("1")})
	require.NoError(t, err)
	assert.Equal(t, 409, stale.StatusCode(), string(stale.Body))

	bare := kubetest.ClassicCluster(cl.Namespace, "bare")
	env.Create(t, bare)
	none, err := c.ScaleclusterWithResponse(x, cl.Namespace, "bare", nil, capi.CapiScaleRequest{Replicas: 1})
	require.NoError(t, err)
	assert.Equal(t, 409, none.StatusCode(), "nothing to scale: %s", none.Body)
}

// kubeconfigAndNodes reads the kubeconfig Secret (never logged) and lists
// nodes through it against the same API server, then the Machine fallback
// for a Secret that is missing or points nowhere.
func kubeconfigAndNodes(t *testing.T, env *kubetest.Env, c *capi.ClientWithResponses, gate *cgtest.Gate) {
	x := ctx(t)
	missing, err := c.GetclusterkubeconfigWithResponse(x, capiNS, "alpha", nil)
	require.NoError(t, err)
	require.Equal(t, 404, missing.StatusCode(), string(missing.Body))
	assert.Contains(t, missing.JSON404.Message, "no kubeconfig Secret alpha-kubeconfig yet")

	machines := []*clusterv1.Machine{kubetest.Machine(capiNS, "alpha", "alpha-cp-1", true), kubetest.Machine(capiNS, "alpha", "alpha-md-0-1", false)}
	for _, m := range machines {
		env.Create(t, m)
	}
	kubetest.UpdateStatus(t, env, machines[0], func(m *clusterv1.Machine) {
		m.Status.NodeRef.Name, m.Status.Phase = "cp-1", "Running"
		m.Status.Conditions = []metav1.Condition{{Type: "Ready", Status: "True", Reason: "Ready", LastTransitionTime: metav1.Now()}}
	})
	fallback := nodes(t, c, "alpha")
	assert.Equal(t, capi.Machines, fallback.Source)
	assert.Contains(t, *fallback.FallbackReason, "no kubeconfig Secret")
	require.Len(t, *fallback.Machines, 2)
	cp := (*fallback.Machines)[0]
	assert.Equal(t, "cp-1", *cp.NodeName)
	assert.True(t, cp.ControlPlane)
	assert.True(t, *cp.Ready)
	assert.Nil(t, (*fallback.Machines)[1].NodeName, "not joined yet")

	env.Create(t, kubetest.KubeconfigSecret(capiNS, "alpha", env.Kubeconfig))
	kc, err := c.GetclusterkubeconfigWithResponse(x, capiNS, "alpha", nil)
	require.NoError(t, err)
	require.Equal(t, 200, kc.StatusCode(), string(kc.Body))
	assert.Equal(t, string(env.Kubeconfig), kc.JSON200.Kubeconfig)
	assert.Equal(t, "alpha-kubeconfig", kc.JSON200.Secret)
	cfg, err := clientcmd.Load(env.Kubeconfig)
	require.NoError(t, err)
	for _, a := range cfg.AuthInfos {
		assert.NotContains(t, gate.Logs(), string(a.ClientKeyData), "the kubeconfig's key is never logged")
	}

	env.Node(t, "cp-1", "v1.36.3", true, "control-plane")
	env.Node(t, "worker-1", "v1.36.3", false)
	live := nodes(t, c, "alpha")
	require.Equal(t, capi.Workload, live.Source, "%+v", live)
	require.Len(t, *live.Nodes, 2)
	n := (*live.Nodes)[0]
	assert.Equal(t, "cp-1", n.Name)
	assert.Equal(t, []string{"control-plane"}, n.Roles)
	assert.True(t, n.Ready)
	assert.Equal(t, "v1.36.3", *n.KubeletVersion)
	assert.Equal(t, "InternalIP", (*n.Addresses)[0].Type)
	assert.False(t, (*live.Nodes)[1].Ready)

	kubetest.Update(t, env, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: capiNS, Name: "alpha-kubeconfig"}},
		func(s *corev1.Secret) { s.Data["value"] = brokenKubeconfig(t, env.Kubeconfig) })
	down := nodes(t, c, "alpha")
	assert.Equal(t, capi.Machines, down.Source)
	assert.Contains(t, *down.FallbackReason, "the workload cluster's API did not list its nodes")
	assert.Len(t, *down.Machines, 2)
}

func nodes(t *testing.T, c *capi.ClientWithResponses, name string) *capi.CapiNodeList {
	res, err := c.GetclusternodesWithResponse(ctx(t), capiNS, name, nil)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode(), string(res.Body))
	return res.JSON200
}

// deletion deletes a cluster whose finalizer keeps it while Cluster API
// tears it down (202, deleting, scaling refused), then one without.
func deletion(t *testing.T, env *kubetest.Env, c *capi.ClientWithResponses, alpha *clusterv1.Cluster) {
	x := ctx(t)
	del, err := c.DeleteclusterWithResponse(x, capiNS, "alpha", nil)
	require.NoError(t, err)
	require.Equal(t, 202, del.StatusCode(), string(del.Body))
	assert.Equal(t, "/v1/capi/namespaces/"+capiNS+"/clusters/alpha", del.HTTPResponse.Header.Get("Location"), "followed with get_cluster")
	assert.False(t, del.JSON202.Gone, "the finalizer keeps it")
	got, err := c.GetclusterWithResponse(x, capiNS, "alpha", nil)
	require.NoError(t, err)
	assert.True(t, got.JSON200.Deleting)
	assert.NotNil(t, got.JSON200.DeletionTimestamp)
	scale, err := c.ScaleclusterWithResponse(x, capiNS, "alpha", nil, capi.CapiScaleRequest{Replicas: 1, MachineDeployment: ptr("md-0")})
	require.NoError(t, err)
	assert.Equal(t, 409, scale.StatusCode(), string(scale.Body))
	assert.Contains(t, scale.JSON409.Message, "being deleted")

	kubetest.RemoveFinalizer(t, env, alpha)
	gone, err := c.GetclusterWithResponse(x, capiNS, "alpha", nil)
	require.NoError(t, err)
	assert.Equal(t, 404, gone.StatusCode(), string(gone.Body))
	assert.Equal(t, "capi", *gone.JSON404.Upstream)

	again, err := c.DeleteclusterWithResponse(x, capiNS, "alpha", nil)
	require.NoError(t, err)
	assert.Equal(t, 404, again.StatusCode(), string(again.Body))
	legacy, err := c.DeleteclusterWithResponse(x, "capi-classic", "legacy", nil)
	require.NoError(t, err)
	require.Equal(t, 202, legacy.StatusCode(), string(legacy.Body))
	assert.True(t, legacy.JSON202.Gone, "no finalizer: gone at once")
}
