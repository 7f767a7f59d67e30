package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

const capiNS = "capi-e2e"

// capiGate starts clustergate on env's kubeconfig with an API key and
// returns a facade client that sends the key.
func capiGate(t *testing.T, env map[string]string) (*capi.ClientWithResponses, *cgtest.Gate) {
	t.Helper()
	env["CLUSTERGATE_API_KEYS"] = "admin=" + adminKey
	gate := cgtest.Start(t, env)
	c, err := capi.NewClientWithResponses(gate.URL, capi.WithRequestEditorFn(cgtest.Bearer(adminKey)))
	require.NoError(t, err)
	return c, gate
}

// capiEnv starts a real API server with the Cluster API CRDs, a namespace
// and a ClusterClass "quick-start" with two worker classes and variables of
// each kind create_cluster checks, then clustergate on it.
func capiEnv(t *testing.T) (*kubetest.Env, *capi.ClientWithResponses, *cgtest.Gate) {
	t.Helper()
	env := kubetest.Start(t)
	env.Namespace(t, capiNS)
	cc := kubetest.ClusterClass(capiNS, "quick-start", []string{"default-worker", "gpu-worker"},
		kubetest.Variable{Name: "region", Required: true, Schema: clusterv1.JSONSchemaProps{Type: "string",
			Enum: []apiextensionsv1.JSON{*kubetest.JSON(`"eu"`), *kubetest.JSON(`"us"`)}}},
		kubetest.Variable{Name: "etcdDiskGB", Required: true, Schema: clusterv1.JSONSchemaProps{Type: "integer",
			Minimum: new(int64(10)), Default: kubetest.JSON(`20`)}},
		kubetest.Variable{Name: "proxy", Schema: clusterv1.JSONSchemaProps{Type: "object", Required: []string{"http"},
			Properties: map[string]clusterv1.JSONSchemaProps{"http": {Type: "string"}}}},
	)
	cc.Spec.KubernetesVersions = []string{"v1.35.2", "v1.36.3"}
	env.Create(t, cc)
	c, gate := capiGate(t, map[string]string{"KUBECONFIG": env.KubeconfigPath})
	return env, c, gate
}

// newCluster is a valid create request for quick-start.
func newCluster(name string) capi.CapiCreateClusterRequest {
	return capi.CapiCreateClusterRequest{
		Name: name, Template: "quick-start", KubernetesVersion: "v1.36.3", ControlPlaneReplicas: ptr(int32(3)),
		Workers: &[]capi.CapiWorker{
			{Class: "default-worker", Name: "md-0", Replicas: ptr(int32(2))},
			{Class: "gpu-worker", Name: "gpu", Replicas: ptr(int32(1))},
		},
		Variables: &map[string]any{"region": "eu", "proxy": map[string]any{"http": "http://proxy:3128"}},
	}
}

// TestCapiTemplatesAndCreate covers list_cluster_templates and create_cluster:
// validation against the ClusterClass, dry run, creation and conflicts.
func TestCapiTemplatesAndCreate(t *testing.T) {
	env, c, _ := capiEnv(t)
	x := ctx(t)

	all, err := c.ListclustertemplatesWithResponse(x, &capi.ListclustertemplatesParams{})
	require.NoError(t, err)
	require.Equal(t, 200, all.StatusCode(), string(all.Body))
	require.Len(t, all.JSON200.Items, 1)
	tpl := all.JSON200.Items[0]
	assert.Equal(t, []string{"default-worker", "gpu-worker"}, tpl.WorkerClasses)
	assert.Equal(t, []string{"v1.35.2", "v1.36.3"}, *tpl.KubernetesVersions)
	require.Len(t, tpl.Variables, 3)
	disk := tpl.Variables[0] // sorted by name
	assert.Equal(t, "etcdDiskGB", disk.Name)
	assert.True(t, disk.Required)
	assert.Equal(t, "integer", *disk.Type)
	assert.EqualValues(t, 20, disk.Default)
	assert.Equal(t, []any{"eu", "us"}, *tpl.Variables[2].Enum)
	for _, ns := range []string{capiNS, "default"} {
		one, err := c.ListnamespacedclustertemplatesWithResponse(x, ns, nil)
		require.NoError(t, err)
		byQuery, err := c.ListclustertemplatesWithResponse(x, &capi.ListclustertemplatesParams{Namespace: ptr(ns)})
		require.NoError(t, err)
		assert.Equal(t, len(one.JSON200.Items), len(byQuery.JSON200.Items))
		assert.Equal(t, ns == capiNS, len(one.JSON200.Items) == 1, ns)
	}

	createRefusals(t, env, c)

	dry, err := c.CreateclusterWithResponse(x, capiNS, &capi.CreateclusterParams{DryRun: ptr(true)}, newCluster("dry"))
	require.NoError(t, err)
	require.Equal(t, 200, dry.StatusCode(), string(dry.Body))
	assert.Equal(t, "quick-start", *dry.JSON200.Class)
	err = env.Client.Get(x, client.ObjectKey{Namespace: capiNS, Name: "dry"}, &clusterv1.Cluster{})
	assert.True(t, apierrors.IsNotFound(err), "a dry run stores nothing: %v", err)

	created, err := c.CreateclusterWithResponse(x, capiNS, &capi.CreateclusterParams{}, newCluster("alpha"))
	require.NoError(t, err)
	require.Equal(t, 202, created.StatusCode(), string(created.Body))
	assert.Equal(t, "/v1/capi/namespaces/"+capiNS+"/clusters/alpha", created.HTTPResponse.Header.Get("Location"), "followed with get_cluster")
	assert.True(t, created.JSON202.Topology)
	assert.EqualValues(t, 3, *created.JSON202.ControlPlane.Desired)
	assert.EqualValues(t, 3, *created.JSON202.Workers.Desired, "2 + 1 workers asked for")
	stored := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: capiNS, Name: "alpha"}}
	env.Get(t, stored)
	top := stored.Spec.Topology
	assert.Equal(t, "quick-start", top.ClassRef.Name)
	assert.Equal(t, "v1.36.3", top.Version)
	assert.EqualValues(t, 3, *top.ControlPlane.Replicas)
	require.Len(t, top.Workers.MachineDeployments, 2)
	assert.Equal(t, "gpu-worker", top.Workers.MachineDeployments[1].Class)
	vars := map[string]string{}
	for _, v := range top.Variables {
		vars[v.Name] = string(v.Value.Raw)
	}
	assert.Equal(t, map[string]string{"region": `"eu"`, "etcdDiskGB": `20`, "proxy": `{"http":"http://proxy:3128"}`}, vars,
		"the required etcdDiskGB got its default")

	dup, err := c.CreateclusterWithResponse(x, capiNS, &capi.CreateclusterParams{}, newCluster("alpha"))
	require.NoError(t, err)
	assert.Equal(t, 409, dup.StatusCode(), string(dup.Body))
	assert.Contains(t, dup.JSON409.Message, "already exists")
}

// createRefusals sends requests that do not fit the ClusterClass: each is a
// 400 naming the field, and nothing is created.
func createRefusals(t *testing.T, env *kubetest.Env, c *capi.ClientWithResponses) {
	x := ctx(t)
	cases := []struct {
		name   string
		change func(r *capi.CapiCreateClusterRequest)
		want   string
	}{
		{"unknown template", func(r *capi.CapiCreateClusterRequest) { r.Template = "nope" }, "template: no ClusterClass capi-e2e/nope"},
		{"unknown worker class", func(r *capi.CapiCreateClusterRequest) { (*r.Workers)[1].Class = "arm-worker" }, `workers[1].class: "arm-worker" is not a worker class`},
		{"duplicate worker", func(r *capi.CapiCreateClusterRequest) { (*r.Workers)[1].Name = "md-0" }, "workers[1].name"},
		{"unknown variable", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["flavour"] = "x" }, "variables.flavour: not a variable"},
		{"missing required", func(r *capi.CapiCreateClusterRequest) { delete(*r.Variables, "region") }, "variables.region: required"},
		{"wrong type", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["etcdDiskGB"] = "big" }, "variables.etcdDiskGB"},
		{"below minimum", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["etcdDiskGB"] = 5 }, "variables.etcdDiskGB"},
		{"not in enum", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["region"] = "mars" }, "variables.region"},
		{"nested required", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["proxy"] = map[string]any{} }, "variables.proxy.http"},
		{"unsupported version", func(r *capi.CapiCreateClusterRequest) { r.KubernetesVersion = "v1.30.0" }, "kubernetesVersion: v1.30.0"},
		{"bad version", func(r *capi.CapiCreateClusterRequest) { r.KubernetesVersion = "1.36" }, "kubernetesVersion"},
		{"negative replicas", func(r *capi.CapiCreateClusterRequest) { (*r.Workers)[0].Replicas = ptr(int32(-1)) }, "replicas"},
		{"bad name", func(r *capi.CapiCreateClusterRequest) { r.Name = "Bad_Name" }, "name"},
	}
	for _, tc := range cases {
		req := newCluster("refused")
		tc.change(&req)
		res, err := c.CreateclusterWithResponse(x, capiNS, &capi.CreateclusterParams{}, req)
		require.NoError(t, err)
		t.Logf("%s: %d %s", tc.name, res.StatusCode(), res.Body)
		if assert.Equal(t, 400, res.StatusCode(), "%s: %s", tc.name, res.Body) {
			assert.Contains(t, res.JSON400.Message, tc.want, tc.name)
		}
	}
	err := env.Client.Get(x, client.ObjectKey{Namespace: capiNS, Name: "refused"}, &clusterv1.Cluster{})
	assert.True(t, apierrors.IsNotFound(err), "no refused request created anything: %v", err)
}

// TestCapiClustersLifecycle plays Cluster API's controllers around
// clustergate: status and MachineDeployments for get and list, scaling of
// topology and classic clusters, kubeconfig and nodes, deletion.
func TestCapiClustersLifecycle(t *testing.T) {
	env, c, gate := capiEnv(t)
	x := ctx(t)
	created, err := c.CreateclusterWithResponse(x, capiNS, &capi.CreateclusterParams{}, newCluster("alpha"))
	require.NoError(t, err)
	require.Equal(t, 202, created.StatusCode(), string(created.Body))
	alpha := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: capiNS, Name: "alpha"}}
	kubetest.AddFinalizer(t, env, alpha)
	provision(t, env, alpha)
	classic := classicCluster(t, env)

	listAndGet(t, c)
	scaleTopology(t, env, c)
	scaleClassic(t, env, c, classic)
	kubeconfigAndNodes(t, env, c, gate)
	deletion(t, env, c, alpha)

	ghost(t, c)
}

// ghost asks for a cluster that does not exist on every route naming one.
func ghost(t *testing.T, c *capi.ClientWithResponses) {
	x := ctx(t)
	get, err := c.GetclusterWithResponse(x, capiNS, "ghost", nil)
	require.NoError(t, err)
	kc, err := c.GetclusterkubeconfigWithResponse(x, capiNS, "ghost", nil)
	require.NoError(t, err)
	nodes, err := c.GetclusternodesWithResponse(x, capiNS, "ghost", nil)
	require.NoError(t, err)
	scale, err := c.ScaleclusterWithResponse(x, capiNS, "ghost", nil, capi.CapiScaleRequest{Replicas: 1})
	require.NoError(t, err)
	del, err := c.DeleteclusterWithResponse(x, capiNS, "ghost", nil)
	require.NoError(t, err)
	for _, res := range []interface{ StatusCode() int }{get, kc, nodes, scale, del} {
		assert.Equal(t, 404, res.StatusCode(), "%T", res)
	}
	assert.Contains(t, get.JSON404.Message, `clusters.cluster.x-k8s.io "ghost" not found`)
}

// provision plays the topology and cluster controllers: a MachineDeployment
// per topology worker with replica counts, and the cluster's status.
func provision(t *testing.T, env *kubetest.Env, cl *clusterv1.Cluster) {
	for _, w := range []struct {
		name, topology string
		replicas       int32
	}{{"alpha-md-0-x7k2p", "md-0", 2}, {"alpha-gpu-9fj3q", "gpu", 1}} {
		md := kubetest.MachineDeployment(capiNS, "alpha", w.name, w.topology, w.replicas)
		env.Create(t, md)
		kubetest.UpdateStatus(t, env, md, func(md *clusterv1.MachineDeployment) {
			md.Status.Replicas, md.Status.ReadyReplicas, md.Status.AvailableReplicas = &w.replicas, &w.replicas, new(w.replicas-1)
			md.Status.Phase = "ScalingUp"
			md.Status.Conditions = []metav1.Condition{{Type: "Available", Status: "False", Reason: "WaitingForReplicas", LastTransitionTime: metav1.Now()}}
		})
	}
	kubetest.UpdateStatus(t, env, cl, func(c *clusterv1.Cluster) {
		c.Status.Phase = "Provisioned"
		c.Status.Initialization.InfrastructureProvisioned, c.Status.Initialization.ControlPlaneInitialized = new(true), new(true)
		c.Status.ControlPlane = &clusterv1.ClusterControlPlaneStatus{DesiredReplicas: new(int32(3)), Replicas: new(int32(3)), ReadyReplicas: new(int32(3)), AvailableReplicas: new(int32(3))}
		c.Status.Workers = &clusterv1.WorkersStatus{DesiredReplicas: new(int32(3)), Replicas: new(int32(3)), ReadyReplicas: new(int32(3)), AvailableReplicas: new(int32(2))}
		c.Status.Conditions = []metav1.Condition{
			{Type: "Available", Status: "True", Reason: "Available", LastTransitionTime: metav1.Now()},
			{Type: "WorkersAvailable", Status: "False", Reason: "NotAvailable", Message: "1 of 3 not available", LastTransitionTime: metav1.Now()},
		}
	})
}

// classicCluster creates a cluster without topology in its own namespace,
// with one MachineDeployment.
func classicCluster(t *testing.T, env *kubetest.Env) *clusterv1.Cluster {
	env.Namespace(t, "capi-classic")
	cl := kubetest.ClassicCluster("capi-classic", "legacy")
	env.Create(t, cl)
	env.Create(t, kubetest.MachineDeployment("capi-classic", "legacy", "legacy-md-0", "", 1))
	return cl
}

func listAndGet(t *testing.T, c *capi.ClientWithResponses) {
	x := ctx(t)
	all, err := c.ListclustersWithResponse(x, &capi.ListclustersParams{})
	require.NoError(t, err)
	require.Equal(t, 200, all.StatusCode(), string(all.Body))
	require.Len(t, all.JSON200.Items, 2)
	legacy, a := all.JSON200.Items[0], all.JSON200.Items[1] // sorted by namespace: capi-classic < capi-e2e
	assert.Equal(t, "alpha", a.Name)
	assert.Equal(t, "Provisioned", *a.Phase)
	assert.Equal(t, "v1.36.3", *a.KubernetesVersion)
	assert.Equal(t, "quick-start", *a.Class)
	assert.EqualValues(t, 3, *a.ControlPlane.Ready)
	assert.EqualValues(t, 2, *a.Workers.Available)
	assert.Equal(t, capi.CapiConditionStatus("True"), a.Available.Status)
	assert.Equal(t, "legacy", legacy.Name)
	assert.False(t, legacy.Topology)
	assert.Nil(t, legacy.Available, "nothing reported yet")

	one, err := c.ListnamespacedclustersWithResponse(x, "capi-classic", nil)
	require.NoError(t, err)
	require.Len(t, one.JSON200.Items, 1)
	byQuery, err := c.ListclustersWithResponse(x, &capi.ListclustersParams{Namespace: ptr(capiNS)})
	require.NoError(t, err)
	require.Len(t, byQuery.JSON200.Items, 1)
	assert.Equal(t, "alpha", byQuery.JSON200.Items[0].Name)

	got, err := c.GetclusterWithResponse(x, capiNS, "alpha", nil)
	require.NoError(t, err)
	require.Equal(t, 200, got.StatusCode(), string(got.Body))
	d := got.JSON200
	require.Len(t, d.MachineDeployments, 2)
	gpu := d.MachineDeployments[0] // sorted by name
	assert.Equal(t, "alpha-gpu-9fj3q", gpu.Name)
	assert.Equal(t, "gpu", *gpu.TopologyName)
	assert.EqualValues(t, 1, *gpu.Replicas.Desired)
	assert.EqualValues(t, 1, *gpu.Replicas.Ready)
	assert.EqualValues(t, 0, *gpu.Replicas.Available)
	assert.Equal(t, "ScalingUp", *gpu.Phase)
	require.Len(t, d.Conditions, 2)
	assert.Equal(t, "1 of 3 not available", *d.Conditions[1].Message)
	assert.True(t, *d.ControlPlaneInitialized)
	require.Len(t, *d.TopologyWorkers, 2)
	assert.NotEmpty(t, *d.ResourceVersion)
}

// brokenKubeconfig is env's kubeconfig with its server replaced by a port
// nothing listens on.
func brokenKubeconfig(t *testing.T, kubeconfig []byte) []byte {
	cfg, err := clientcmd.Load(kubeconfig)
	require.NoError(t, err)
	for _, cl := range cfg.Clusters {
		cl.Server = "https://127.0.0.1:1"
	}
	out, err := clientcmd.Write(*cfg)
	require.NoError(t, err)
	return out
}
