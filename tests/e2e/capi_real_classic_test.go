package e2e

import (
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// TestCapiRealClassic: a cluster without topology and without a
// control-plane provider, as clusterctl's machine-based flavours make it.
// Cluster API's cluster controller writes its kubeconfig Secret (from the
// cluster CA the test writes, as an operator or a control-plane provider
// does), which get_cluster_kubeconfig returns; scale_cluster goes through
// the MachineDeployment's scale subresource and the MachineSet controller
// makes the Machines get_cluster_nodes lists; delete_cluster ends with
// Cluster API's finalizer gone.
func TestCapiRealClassic(t *testing.T) {
	const ns = "real-classic"
	m := kubetest.Shared(t)
	m.Namespace(t, ns)
	c, gate := capiGate(t, map[string]string{"KUBECONFIG": m.KubeconfigPath})

	// The endpoint nothing listens on: the workload API is unreachable.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	// Cluster API wants a control plane or an infrastructure reference; the
	// DockerCluster is what clusterctl's flavour would create with it.
	infra := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "infrastructure.cluster.x-k8s.io/v1beta2", "kind": "DockerCluster",
		"metadata": map[string]any{"namespace": ns, "name": "legacy"},
		"spec":     map[string]any{"loadBalancer": map[string]any{"imageRepository": "kindest"}},
	}}
	m.Create(t, infra)
	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "legacy"}}
	cl.Spec.InfrastructureRef = clusterv1.ContractVersionedObjectReference{
		APIGroup: "infrastructure.cluster.x-k8s.io", Kind: "DockerCluster", Name: "legacy"}
	m.Create(t, cl)
	// No docker provider runs here: the test reports its endpoint and
	// provisioned status, and writes the cluster CA an operator would.
	m.ReportInfrastructure(t, ns, "legacy", "127.0.0.1", int64(port))
	m.ClusterCA(t, ns, "legacy")
	m.Create(t, classicDeployment(t, m, ns, "legacy", "legacy-md-0", 1))

	var kc *capi.GetclusterkubeconfigResponse
	m.Eventually(t, "kubeconfig Secret written by Cluster API", func() error {
		if kc, err = c.GetclusterkubeconfigWithResponse(ctx(t), ns, "legacy", nil); err != nil {
			return err
		}
		if kc.StatusCode() != 200 {
			return fmt.Errorf("%d %s", kc.StatusCode(), kc.Body)
		}
		return nil
	})
	cfg, err := clientcmd.Load([]byte(kc.JSON200.Kubeconfig))
	require.NoError(t, err)
	server := cfg.Clusters[cfg.Contexts[cfg.CurrentContext].Cluster].Server
	assert.Equal(t, "https://127.0.0.1:"+strconv.Itoa(port), server, "the cluster's control plane endpoint")
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "legacy-kubeconfig"}}
	m.Get(t, secret)
	require.Len(t, secret.OwnerReferences, 1)
	assert.Equal(t, "Cluster", secret.OwnerReferences[0].Kind, "Cluster API's cluster controller made it")
	for _, a := range cfg.AuthInfos {
		assert.NotContains(t, gate.Logs(), string(a.ClientKeyData), "the kubeconfig's key is never logged")
	}

	res, err := c.ScaleclusterWithResponse(ctx(t), ns, "legacy", nil, capi.CapiScaleRequest{Replicas: 3})
	require.NoError(t, err)
	require.Equal(t, 202, res.StatusCode(), string(res.Body))
	assert.Equal(t, capi.MachineDeployment, res.JSON202.Target)
	assert.EqualValues(t, 1, *res.JSON202.PreviousReplicas)
	var list *capi.CapiNodeList
	m.Eventually(t, "three Machines made by the MachineSet controller", func() error {
		nodes, err := c.GetclusternodesWithResponse(ctx(t), ns, "legacy", nil)
		if err != nil {
			return err
		}
		if nodes.JSON200 == nil || nodes.JSON200.Machines == nil || len(*nodes.JSON200.Machines) != 3 {
			return fmt.Errorf("%d %s", nodes.StatusCode(), nodes.Body)
		}
		list = nodes.JSON200
		return nil
	})
	assert.Equal(t, capi.Machines, list.Source)
	assert.Contains(t, *list.FallbackReason, "the workload cluster's API did not list its nodes")

	s, err := mcpSession(t, gate.MCPURL, adminKey)
	require.NoError(t, err)
	del := call(t, s, "delete_cluster", map[string]any{"namespace": ns, "name": "legacy", "confirm": "legacy"})
	require.False(t, del.IsError, text(del))
	m.FinishInfrastructureDeletion(t, ns, "legacy")
	m.Eventually(t, "cluster deleted by Cluster API", func() error {
		got, err := c.GetclusterWithResponse(ctx(t), ns, "legacy", nil)
		if err != nil {
			return err
		}
		if got.StatusCode() != 404 {
			return fmt.Errorf("get_cluster: %d", got.StatusCode())
		}
		return nil
	})
}

// classicDeployment is a MachineDeployment of a classic cluster whose
// machines come from kubeadm bootstrap and docker machine templates.
func classicDeployment(t *testing.T, m *kubetest.Management, ns, cluster, name string, replicas int32) *clusterv1.MachineDeployment {
	boot := clusterv1.ClusterClassTemplateReference{APIVersion: "bootstrap.cluster.x-k8s.io/v1beta2", Kind: "KubeadmConfigTemplate", Name: name}
	infra := clusterv1.ClusterClassTemplateReference{APIVersion: "infrastructure.cluster.x-k8s.io/v1beta2", Kind: "DockerMachineTemplate", Name: name}
	m.Template(t, ns, boot)
	m.Template(t, ns, infra)
	md := &clusterv1.MachineDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
		Labels: map[string]string{clusterv1.ClusterNameLabel: cluster}}}
	sel := map[string]string{clusterv1.ClusterNameLabel: cluster, clusterv1.MachineDeploymentNameLabel: name}
	md.Spec.ClusterName, md.Spec.Replicas = cluster, &replicas
	md.Spec.Selector = metav1.LabelSelector{MatchLabels: sel}
	md.Spec.Template.Labels = sel
	md.Spec.Template.Spec = clusterv1.MachineSpec{
		ClusterName: cluster, Version: "v1.36.3",
		Bootstrap: clusterv1.Bootstrap{ConfigRef: clusterv1.ContractVersionedObjectReference{
			APIGroup: "bootstrap.cluster.x-k8s.io", Kind: boot.Kind, Name: boot.Name}},
		InfrastructureRef: clusterv1.ContractVersionedObjectReference{
			APIGroup: "infrastructure.cluster.x-k8s.io", Kind: infra.Kind, Name: infra.Name},
	}
	return md
}
