package capi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	gen "github.com/clustergate/clustergate/generated/capiclusters"
)

func topologyCluster() *clusterv1.Cluster {
	c := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c", ResourceVersion: "7"}}
	t := &c.Spec.Topology
	t.ClassRef.Name, t.Version, t.ControlPlane.Replicas = "qs", "v1.36.3", new(int32(3))
	t.Workers.MachineDeployments = []clusterv1.MachineDeploymentTopology{
		{Class: "w", Name: "a", Replicas: new(int32(2))}, {Class: "w", Name: "b", Replicas: new(int32(1))}}
	t.Variables = []clusterv1.ClusterVariable{{Name: "zone", Value: apiextensionsv1.JSON{Raw: []byte(`"z1"`)}}}
	return c
}

func TestSummaryFallsBackToTheTopologyUntilStatusIsReported(t *testing.T) {
	s := summary(topologyCluster())
	assert.EqualValues(t, 3, *s.ControlPlane.Desired)
	assert.EqualValues(t, 3, *s.Workers.Desired, "2 + 1")
	assert.Nil(t, s.Workers.Ready)
	assert.Nil(t, s.Phase)
	assert.Nil(t, s.Available)

	c := topologyCluster()
	c.Status.Workers = &clusterv1.WorkersStatus{DesiredReplicas: new(int32(4)), ReadyReplicas: new(int32(1))}
	c.Status.Conditions = []metav1.Condition{{Type: "Available", Status: "False", Reason: "Waiting"}}
	s = summary(c)
	assert.EqualValues(t, 4, *s.Workers.Desired, "what Cluster API reports wins")
	assert.EqualValues(t, 1, *s.Workers.Ready)
	assert.Equal(t, gen.CapiConditionStatus("False"), s.Available.Status)
}

func TestDetailCarriesTopologyAndDeployments(t *testing.T) {
	md := clusterv1.MachineDeployment{ObjectMeta: metav1.ObjectMeta{Name: "c-a-x",
		Labels: map[string]string{clusterv1.ClusterTopologyMachineDeploymentNameLabel: "a"}}}
	md.Spec.Replicas = new(int32(2))
	d, err := detail(topologyCluster(), []clusterv1.MachineDeployment{md})
	require.NoError(t, err)
	assert.Equal(t, "7", *d.ResourceVersion)
	assert.Equal(t, []gen.CapiVariable{{Name: "zone", Value: "z1"}}, *d.Variables)
	require.Len(t, d.MachineDeployments, 1)
	assert.Equal(t, "a", *d.MachineDeployments[0].TopologyName)
	assert.Nil(t, d.ControlPlaneRef, "topology clusters get their refs from the controller")
	assert.Empty(t, d.Conditions)
}

func TestNodeListShapes(t *testing.T) {
	n := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{
		"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/etcd": "", "other": "x"}}}
	n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	live := nodeList(&capiadapter.NodeReport{Nodes: []corev1.Node{n}})
	assert.Equal(t, gen.Workload, live.Source)
	assert.Nil(t, live.Machines)
	assert.Equal(t, []string{"control-plane", "etcd"}, (*live.Nodes)[0].Roles)
	assert.True(t, (*live.Nodes)[0].Ready)

	m := clusterv1.Machine{ObjectMeta: metav1.ObjectMeta{Name: "m1"}}
	fb := nodeList(&capiadapter.NodeReport{Machines: []clusterv1.Machine{m}, FallbackReason: "down"})
	assert.Equal(t, gen.Machines, fb.Source)
	assert.Equal(t, "down", *fb.FallbackReason)
	assert.Nil(t, (*fb.Machines)[0].NodeName)
	assert.False(t, (*fb.Machines)[0].ControlPlane)
}

func TestTemplateListsVariablesAndClasses(t *testing.T) {
	cc := clusterv1.ClusterClass{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "qs"}}
	cc.Spec.Workers.MachineDeployments = []clusterv1.MachineDeploymentClass{{Class: "w1"}, {Class: "w2"}}
	v := capiadapter.Variable{Name: "size", Required: true, Schema: clusterv1.JSONSchemaProps{Type: "string",
		Default: &apiextensionsv1.JSON{Raw: []byte(`"m"`)}, Enum: []apiextensionsv1.JSON{{Raw: []byte(`"s"`)}, {Raw: []byte(`"m"`)}}}}
	out, err := template(&capiadapter.Template{Class: cc, Variables: []capiadapter.Variable{v}})
	require.NoError(t, err)
	assert.Equal(t, []string{"w1", "w2"}, out.WorkerClasses)
	assert.Nil(t, out.MachinePoolClasses)
	tv := out.Variables[0]
	assert.Equal(t, "m", tv.Default)
	assert.Equal(t, []any{"s", "m"}, *tv.Enum)
	assert.Equal(t, "string", (*tv.Schema)["type"])
}
