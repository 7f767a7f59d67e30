package e2e

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	capisandbox "github.com/clustergate/clustergate/sandbox/capi"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// The tests of this file run on a management cluster where Cluster API's
// own core controllers and admission webhooks run (kubetest.Shared). No
// provider controller runs: where the tests report what the docker
// infrastructure or kubeadm control-plane provider would, they say so.

// realCAPI returns the shared management cluster with a namespace of the
// test's own holding the QuickStart ClusterClass, reconciled by Cluster
// API, and clustergate on it.
func realCAPI(t *testing.T, ns string) (*kubetest.Management, *capi.ClientWithResponses, *cgtest.Gate) {
	t.Helper()
	m := kubetest.Shared(t)
	m.Namespace(t, ns)
	m.InstallClass(t, capisandbox.QuickStart(ns))
	c, gate := capiGate(t, map[string]string{"KUBECONFIG": m.KubeconfigPath})
	return m, c, gate
}

// createIn is newCluster for the namespace ns.
func createIn(t *testing.T, c *capi.ClientWithResponses, ns string, req capi.CapiCreateClusterRequest) *capi.CreateclusterResponse {
	t.Helper()
	res, err := c.CreateclusterWithResponse(ctx(t), ns, &capi.CreateclusterParams{}, req)
	require.NoError(t, err)
	return res
}

// clusterSoon polls get_cluster until check accepts the answer.
func clusterSoon(t *testing.T, m *kubetest.Management, c *capi.ClientWithResponses, ns, name, what string, check func(*capi.CapiCluster) error) *capi.CapiCluster {
	t.Helper()
	var d *capi.CapiCluster
	m.Eventually(t, what, func() error {
		res, err := c.GetclusterWithResponse(ctx(t), ns, name, nil)
		if err != nil {
			return err
		}
		if res.JSON200 == nil {
			return fmt.Errorf("get_cluster: %d %s", res.StatusCode(), res.Body)
		}
		d = res.JSON200
		return check(d)
	})
	return d
}

func condition(d *capi.CapiCluster, typ string) *capi.CapiCondition {
	for i := range d.Conditions {
		if d.Conditions[i].Type == typ {
			return &d.Conditions[i]
		}
	}
	return nil
}

// deployments indexes a cluster's MachineDeployments by topology name.
func deployments(d *capi.CapiCluster) map[string]capi.CapiMachineDeployment {
	out := map[string]capi.CapiMachineDeployment{}
	for _, md := range d.MachineDeployments {
		if md.TopologyName != nil {
			out[*md.TopologyName] = md
		}
	}
	return out
}

func desired(md capi.CapiMachineDeployment) int32 {
	if md.Replicas.Desired == nil {
		return -1
	}
	return *md.Replicas.Desired
}

// TestCapiRealTopology: a cluster created through clustergate from a
// ClusterClass is reconciled by Cluster API's topology controller: the
// control plane and infrastructure objects and the MachineDeployments the
// request named, whose replicas follow scale_cluster over REST and MCP; the MachineSet controller
// makes the Machines get_cluster_nodes lists; delete_cluster ends with
// Cluster API's finalizers gone.
func TestCapiRealTopology(t *testing.T) {
	const ns = "real-topology"
	m, c, gate := realCAPI(t, ns)
	created := createIn(t, c, ns, newCluster("alpha"))
	require.Equal(t, 202, created.StatusCode(), string(created.Body))

	cp := m.Ref(t, ns, "alpha", func(c *clusterv1.Cluster) clusterv1.ContractVersionedObjectReference { return c.Spec.ControlPlaneRef })
	assert.Equal(t, "KubeadmControlPlane", cp.GetKind())
	assert.Equal(t, int64(3), cp.Object["spec"].(map[string]any)["replicas"], "the request's control plane size")
	assert.Equal(t, "v1.36.3", cp.Object["spec"].(map[string]any)["version"])
	infra := m.Ref(t, ns, "alpha", func(c *clusterv1.Cluster) clusterv1.ContractVersionedObjectReference { return c.Spec.InfrastructureRef })
	assert.Equal(t, "DockerCluster", infra.GetKind())

	// Conditions come from Cluster API's controllers: the test never
	// writes the Cluster's status.
	early := clusterSoon(t, m, c, ns, "alpha", "topology reconciled", func(d *capi.CapiCluster) error {
		if condition(d, "TopologyReconciled") == nil || condition(d, "InfrastructureReady") == nil {
			return fmt.Errorf("conditions %+v", d.Conditions)
		}
		return nil
	})
	assert.Equal(t, capi.CapiConditionStatus("False"), condition(early, "InfrastructureReady").Status, "no provider reported it yet")
	require.NotNil(t, early.ControlPlaneRef)
	assert.Equal(t, cp.GetName(), early.ControlPlaneRef.Name)

	// No docker or kubeadm control-plane provider runs here: the test
	// reports what they would, and Cluster API carries on from there.
	m.ReportInfrastructure(t, ns, "alpha", "127.0.0.1", 6443)
	m.ReportControlPlane(t, ns, "alpha")
	d := clusterSoon(t, m, c, ns, "alpha", "MachineDeployments created", func(d *capi.CapiCluster) error {
		if len(d.MachineDeployments) != 2 || d.ControlPlaneInitialized == nil || !*d.ControlPlaneInitialized {
			return fmt.Errorf("%d MachineDeployments, control plane initialized %v", len(d.MachineDeployments), d.ControlPlaneInitialized)
		}
		return nil
	})
	mds := deployments(d)
	assert.EqualValues(t, 2, desired(mds["md-0"]))
	assert.EqualValues(t, 1, desired(mds["gpu"]))
	assert.True(t, *d.InfrastructureProvisioned)
	assert.Equal(t, "Provisioned", *d.Phase, "Cluster API's phase")
	assert.Equal(t, capi.CapiConditionStatus("True"), condition(d, "InfrastructureReady").Status)

	scale, err := c.ScaleclusterWithResponse(ctx(t), ns, "alpha", nil, capi.CapiScaleRequest{Replicas: 4, MachineDeployment: ptr("md-0")})
	require.NoError(t, err)
	require.Equal(t, 202, scale.StatusCode(), string(scale.Body))
	assert.Equal(t, capi.Topology, scale.JSON202.Target)
	s, err := mcpSession(t, gate.MCPURL, adminKey)
	require.NoError(t, err)
	byTool := call(t, s, "scale_cluster", map[string]any{"namespace": ns, "name": "alpha", "confirm": "alpha",
		"body": map[string]any{"replicas": 0, "machineDeployment": "gpu"}})
	require.False(t, byTool.IsError, text(byTool))
	clusterSoon(t, m, c, ns, "alpha", "MachineDeployment replicas follow the topology", func(d *capi.CapiCluster) error {
		if mds := deployments(d); desired(mds["md-0"]) != 4 || desired(mds["gpu"]) != 0 {
			return fmt.Errorf("md-0 %d, gpu %d", desired(mds["md-0"]), desired(mds["gpu"]))
		}
		return nil
	})

	topologyNodes(t, m, c, ns)
	topologyDeletion(t, m, c, ns, cp.GetName())
}

// topologyNodes: the Machines get_cluster_nodes falls back to are the ones
// Cluster API's MachineSet controller made for md-0's four replicas. They
// never become nodes (no infrastructure provider), and there is no
// kubeconfig: the kubeadm control-plane provider writes it.
func topologyNodes(t *testing.T, m *kubetest.Management, c *capi.ClientWithResponses, ns string) {
	var list *capi.CapiNodeList
	m.Eventually(t, "Machines made by the MachineSet controller", func() error {
		res, err := c.GetclusternodesWithResponse(ctx(t), ns, "alpha", nil)
		if err != nil {
			return err
		}
		if res.JSON200 == nil || res.JSON200.Machines == nil || len(*res.JSON200.Machines) != 4 {
			return fmt.Errorf("%d %s", res.StatusCode(), res.Body)
		}
		list = res.JSON200
		return nil
	})
	assert.Equal(t, capi.Machines, list.Source)
	assert.Contains(t, *list.FallbackReason, "no kubeconfig Secret alpha-kubeconfig yet")
	for _, mc := range *list.Machines {
		assert.False(t, mc.ControlPlane, mc.Name)
		assert.Nil(t, mc.NodeName, "%s: no infrastructure, no node", mc.Name)
		assert.Equal(t, "v1.36.3", *mc.Version, mc.Name)
	}
	kc, err := c.GetclusterkubeconfigWithResponse(ctx(t), ns, "alpha", nil)
	require.NoError(t, err)
	assert.Equal(t, 404, kc.StatusCode(), string(kc.Body))
}

// topologyDeletion: delete_cluster answers 202 while Cluster API's
// finalizer holds the cluster, then its controllers delete what the
// topology made and let the cluster go.
func topologyDeletion(t *testing.T, m *kubetest.Management, c *capi.ClientWithResponses, ns, cp string) {
	del, err := c.DeleteclusterWithResponse(ctx(t), ns, "alpha", nil)
	require.NoError(t, err)
	require.Equal(t, 202, del.StatusCode(), string(del.Body))
	assert.False(t, del.JSON202.Gone, "Cluster API's finalizer holds it while it tears the cluster down")
	got, err := c.GetclusterWithResponse(ctx(t), ns, "alpha", nil)
	require.NoError(t, err)
	require.Equal(t, 200, got.StatusCode(), string(got.Body))
	assert.True(t, got.JSON200.Deleting)
	// The docker provider's finalizer (test-written: the provider does not
	// run here) holds the DockerCluster, hence the Cluster, until its
	// teardown "ends".
	m.FinishInfrastructureDeletion(t, ns, "alpha")
	m.Eventually(t, "cluster deleted by Cluster API", func() error {
		res, err := c.GetclusterWithResponse(ctx(t), ns, "alpha", nil)
		if err != nil {
			return err
		}
		if res.StatusCode() != 404 {
			return fmt.Errorf("get_cluster: %d", res.StatusCode())
		}
		return nil
	})
	var mds clusterv1.MachineDeploymentList
	require.NoError(t, m.Client.List(ctx(t), &mds, client.InNamespace(ns)))
	assert.Empty(t, mds.Items, "Cluster API deleted the MachineDeployments")
	var machines clusterv1.MachineList
	require.NoError(t, m.Client.List(ctx(t), &machines, client.InNamespace(ns)))
	assert.Empty(t, machines.Items, "and the Machines")
	kcp := &unstructured.Unstructured{}
	kcp.SetGroupVersionKind(schema.GroupVersionKind{Group: "controlplane.cluster.x-k8s.io", Version: "v1beta2", Kind: "KubeadmControlPlane"})
	err = m.Client.Get(ctx(t), client.ObjectKey{Namespace: ns, Name: cp}, kcp)
	assert.True(t, apierrors.IsNotFound(err), "and the control plane object: %v", err)
}

// topologyCluster is the Cluster a client writing the object itself would
// send for req: what clustergate's create_cluster writes, without its
// checks and defaults.
func topologyCluster(ns string, req capi.CapiCreateClusterRequest) *clusterv1.Cluster {
	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: string(req.Name)}}
	top := &cl.Spec.Topology
	top.ClassRef.Name, top.Version, top.ControlPlane.Replicas = req.Template, req.KubernetesVersion, req.ControlPlaneReplicas
	for _, w := range *req.Workers {
		top.Workers.MachineDeployments = append(top.Workers.MachineDeployments,
			clusterv1.MachineDeploymentTopology{Class: w.Class, Name: w.Name, Replicas: w.Replicas})
	}
	for name, v := range *req.Variables {
		raw, _ := json.Marshal(v)
		top.Variables = append(top.Variables, clusterv1.ClusterVariable{Name: name, Value: apiextensionsv1.JSON{Raw: raw}})
	}
	return cl
}

// variables reads a stored cluster's topology variables as JSON.
func variables(t *testing.T, m *kubetest.Management, ns, name string) map[string]string {
	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	m.Get(t, cl)
	out := map[string]string{}
	for _, v := range cl.Spec.Topology.Variables {
		out[v.Name] = string(v.Value.Raw)
	}
	return out
}
