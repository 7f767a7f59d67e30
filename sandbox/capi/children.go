package capi

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
)

// syncMachineDeployments plays the topology controller: one
// MachineDeployment per topology worker, labelled with the cluster and the
// worker's topology name, at the replica count the topology asks for. It
// returns them sorted by name.
func (s *Sandbox) syncMachineDeployments(ctx context.Context, c *clusterv1.Cluster, p phase) ([]clusterv1.MachineDeployment, error) {
	var list clusterv1.MachineDeploymentList
	if err := s.store.List(ctx, &list, client.InNamespace(c.Namespace), client.MatchingLabels{clusterv1.ClusterNameLabel: c.Name}); err != nil {
		return nil, err
	}
	var out []clusterv1.MachineDeployment
	for _, w := range c.Spec.Topology.Workers.MachineDeployments {
		want := replicasOr1(w.Replicas)
		i := slices.IndexFunc(list.Items, func(md clusterv1.MachineDeployment) bool {
			return md.Labels[clusterv1.ClusterTopologyMachineDeploymentNameLabel] == w.Name
		})
		var md *clusterv1.MachineDeployment
		if i < 0 {
			md = newMachineDeployment(c, w.Name, want)
			if err := s.admit(ctx, s.store, md); err != nil {
				return nil, err
			}
		} else {
			md = &list.Items[i]
			if *md.Spec.Replicas != want {
				md.Spec.Replicas = new(want)
				if err := s.store.Update(ctx, md); err != nil {
					return nil, err
				}
			}
		}
		if err := s.setMDStatus(ctx, md, p); err != nil {
			return nil, err
		}
		out = append(out, *md)
	}
	for i := range list.Items { // workers removed from the topology
		md := &list.Items[i]
		if !slices.ContainsFunc(out, func(o clusterv1.MachineDeployment) bool { return o.Name == md.Name }) {
			if err := client.IgnoreNotFound(s.store.Delete(ctx, md)); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func newMachineDeployment(c *clusterv1.Cluster, topologyName string, replicas int32) *clusterv1.MachineDeployment {
	name := fmt.Sprintf("%s-%s-%s", c.Name, topologyName, suffix(string(c.UID), topologyName))
	md := &clusterv1.MachineDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: name, Labels: map[string]string{
		clusterv1.ClusterNameLabel: c.Name, clusterv1.ClusterTopologyMachineDeploymentNameLabel: topologyName,
	}}}
	md.Spec.ClusterName, md.Spec.Replicas = c.Name, &replicas
	sel := map[string]string{clusterv1.ClusterNameLabel: c.Name, clusterv1.MachineDeploymentNameLabel: name}
	md.Spec.Selector = metav1.LabelSelector{MatchLabels: sel}
	md.Spec.Template.Labels = sel
	md.Spec.Template.Spec = machineSpec(c, name)
	return md
}

// setMDStatus reports a MachineDeployment's machines: existing once the
// infrastructure is ready, ready once the cluster is provisioned.
func (s *Sandbox) setMDStatus(ctx context.Context, md *clusterv1.MachineDeployment, p phase) error {
	n := counts(*md.Spec.Replicas, p.infraReady, p.provisioned)
	st := clusterv1.MachineDeploymentStatus{Replicas: n.Replicas, ReadyReplicas: n.ReadyReplicas,
		AvailableReplicas: n.AvailableReplicas, UpToDateReplicas: n.UpToDateReplicas, Phase: "ScalingUp",
		Selector: metav1.FormatLabelSelector(&md.Spec.Selector), ObservedGeneration: md.Generation}
	available := metav1.Condition{Type: clusterv1.AvailableCondition, Status: metav1.ConditionFalse, Reason: "WaitingForReplicas", LastTransitionTime: p.since}
	if p.provisioned {
		st.Phase, available.Status, available.Reason = "Running", metav1.ConditionTrue, "Available"
	}
	st.Conditions = []metav1.Condition{available}
	if equality.Semantic.DeepEqual(md.Status, st) {
		return nil
	}
	md.Status = st
	return s.store.Status().Update(ctx, md)
}

// syncMachines keeps one Machine per wanted replica: the control plane's
// ("<cluster>-control-plane-…") and each MachineDeployment's ("<md>-…").
func (s *Sandbox) syncMachines(ctx context.Context, c *clusterv1.Cluster, mds []clusterv1.MachineDeployment, p phase) error {
	want := map[string]bool{} // name -> control plane
	cp := replicasOr1(c.Spec.Topology.ControlPlane.Replicas)
	for i := range cp {
		want[fmt.Sprintf("%s-control-plane-%s", c.Name, suffix(string(c.UID), "cp", fmt.Sprint(i)))] = true
	}
	for _, md := range mds {
		for i := range *md.Spec.Replicas {
			want[fmt.Sprintf("%s-%s", md.Name, suffix(md.Name, fmt.Sprint(i)))] = false
		}
	}
	var list clusterv1.MachineList
	if err := s.store.List(ctx, &list, client.InNamespace(c.Namespace), client.MatchingLabels{clusterv1.ClusterNameLabel: c.Name}); err != nil {
		return err
	}
	have := map[string]*clusterv1.Machine{}
	for i := range list.Items {
		m := &list.Items[i]
		if _, ok := want[m.Name]; !ok {
			if err := client.IgnoreNotFound(s.store.Delete(ctx, m)); err != nil {
				return err
			}
			continue
		}
		have[m.Name] = m
	}
	for _, name := range slices.Sorted(maps.Keys(want)) { // sorted: the same calls write in the same order
		controlPlane := want[name]
		m, ok := have[name]
		if !ok {
			m = newMachine(c, name, controlPlane)
			if err := s.admit(ctx, s.store, m); err != nil {
				return err
			}
		}
		if err := s.setMachineStatus(ctx, m, p); err != nil {
			return err
		}
	}
	return nil
}

func newMachine(c *clusterv1.Cluster, name string, controlPlane bool) *clusterv1.Machine {
	m := &clusterv1.Machine{ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: name,
		Labels: map[string]string{clusterv1.ClusterNameLabel: c.Name}}}
	owner := c.Name + "-control-plane"
	if controlPlane {
		m.Labels[clusterv1.MachineControlPlaneLabel] = ""
	} else {
		owner = name[:strings.LastIndexByte(name, '-')]
		m.Labels[clusterv1.MachineDeploymentNameLabel] = owner
	}
	m.Spec = machineSpec(c, owner)
	m.Spec.Version = c.Spec.Topology.Version
	m.Spec.ProviderID = "docker:////" + name
	return m
}

func machineSpec(c *clusterv1.Cluster, owner string) clusterv1.MachineSpec {
	return clusterv1.MachineSpec{
		ClusterName: c.Name,
		Bootstrap:   clusterv1.Bootstrap{DataSecretName: new(owner + "-bootstrap")},
		InfrastructureRef: clusterv1.ContractVersionedObjectReference{APIGroup: "infrastructure.cluster.x-k8s.io",
			Kind: "DockerMachine", Name: owner},
	}
}

// setMachineStatus reports a Machine Running with a Node of its name once
// the cluster is provisioned, Provisioning before.
func (s *Sandbox) setMachineStatus(ctx context.Context, m *clusterv1.Machine, p phase) error {
	st := clusterv1.MachineStatus{Phase: "Provisioning", ObservedGeneration: m.Generation}
	ready := metav1.Condition{Type: clusterv1.MachineReadyCondition, Status: metav1.ConditionFalse, Reason: "NotReady", LastTransitionTime: p.since}
	if p.provisioned {
		st.Phase, st.NodeRef.Name = "Running", m.Name
		st.Addresses = clusterv1.MachineAddresses{{Type: clusterv1.MachineInternalIP, Address: machineIP(m.Name)}}
		ready.Status, ready.Reason = metav1.ConditionTrue, "Ready"
	}
	st.Conditions = []metav1.Condition{ready}
	if equality.Semantic.DeepEqual(m.Status, st) {
		return nil
	}
	m.Status = st
	return s.store.Status().Update(ctx, m)
}

// machineIP is a stable private address for a machine.
func machineIP(name string) string {
	h := suffix(name)
	return fmt.Sprintf("172.18.%d.%d", h[0]%8, 2+int(h[1])%250)
}

// ensureKubeconfig writes the Secret Cluster API writes once the control
// plane is initialized: <cluster>-kubeconfig, key "value".
func (s *Sandbox) ensureKubeconfig(ctx context.Context, c *clusterv1.Cluster) error {
	sec := &corev1.Secret{}
	key := client.ObjectKey{Namespace: c.Namespace, Name: capiadapter.KubeconfigSecretName(c.Name)}
	if err := s.store.Get(ctx, key, sec); err == nil || client.IgnoreNotFound(err) != nil {
		return client.IgnoreNotFound(err)
	}
	data, err := kubeconfigFor(c)
	if err != nil {
		return err
	}
	sec = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name,
		Labels: map[string]string{clusterv1.ClusterNameLabel: c.Name}},
		Type: clusterv1.ClusterSecretType, Data: map[string][]byte{capiadapter.KubeconfigDataKey: data}}
	return s.admit(ctx, s.store, sec)
}

// kubeconfigFor is the admin kubeconfig the sandbox writes for a cluster:
// well-formed, with a token user, pointing at the cluster's endpoint under
// .invalid, which resolves nowhere.
func kubeconfigFor(c *clusterv1.Cluster) ([]byte, error) {
	name, user := c.Name, c.Name+"-admin"
	cfg := clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{name: {Server: fmt.Sprintf("https://%s:6443", endpointHost(c))}},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{user: {Token: "sandbox-" + suffix(string(c.UID), "token") +
			suffix(string(c.UID), "token", "2")}},
		Contexts:       map[string]*clientcmdapi.Context{user + "@" + name: {Cluster: name, AuthInfo: user}},
		CurrentContext: user + "@" + name,
	}
	return clientcmd.Write(cfg)
}

// deleteChildren removes what Cluster API removes with a cluster.
func (s *Sandbox) deleteChildren(ctx context.Context, c *clusterv1.Cluster) error {
	in, of := client.InNamespace(c.Namespace), client.MatchingLabels{clusterv1.ClusterNameLabel: c.Name}
	for _, obj := range []client.Object{&clusterv1.Machine{}, &clusterv1.MachineDeployment{}, &corev1.Secret{}} {
		if err := s.store.DeleteAllOf(ctx, obj, in, of); err != nil {
			return err
		}
	}
	return nil
}

// nodes is the Machine fallback of adapters/capi, with the reason that
// applies here: a sandbox workload cluster has no API. Until the kubeconfig
// Secret exists, the adapter itself answers (it never dials then).
func (s *Sandbox) nodes(ctx context.Context, namespace, name string) (*capiadapter.NodeReport, error) {
	key := client.ObjectKey{Namespace: namespace, Name: capiadapter.KubeconfigSecretName(name)}
	if err := s.store.Get(ctx, key, &corev1.Secret{}); err != nil {
		return s.adapter.Nodes(ctx, namespace, name)
	}
	var machines clusterv1.MachineList
	if err := s.store.List(ctx, &machines, client.InNamespace(namespace), client.MatchingLabels{clusterv1.ClusterNameLabel: name}); err != nil {
		return nil, err
	}
	sort.Slice(machines.Items, func(i, j int) bool { return machines.Items[i].Name < machines.Items[j].Name })
	return &capiadapter.NodeReport{Machines: machines.Items, FallbackReason: "the workload cluster's API did not list its nodes: " +
		"sandbox workload clusters have no API (their kubeconfig points at " + name + "." + namespace + ".sandbox.invalid)"}, nil
}
