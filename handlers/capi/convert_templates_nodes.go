package capi

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	gen "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/internal/ptr"
	"github.com/clustergate/clustergate/internal/reshape"
)

// template is a ClusterClass as create_cluster sees it: its variables and
// worker classes.
func template(t *capiadapter.Template) (gen.CapiClusterTemplate, error) {
	cc := &t.Class
	out := gen.CapiClusterTemplate{
		Name: cc.Name, Namespace: cc.Namespace, CreatedAt: timeOf(cc.CreationTimestamp),
		KubernetesVersions: ptrIfAny(cc.Spec.KubernetesVersions),
		ControlPlane:       templateRef(cc.Spec.ControlPlane.TemplateRef),
		Infrastructure:     templateRef(cc.Spec.Infrastructure.TemplateRef),
		Variables:          make([]gen.CapiTemplateVariable, 0, len(t.Variables)),
		WorkerClasses:      make([]string, 0, len(cc.Spec.Workers.MachineDeployments)),
	}
	for _, md := range cc.Spec.Workers.MachineDeployments {
		out.WorkerClasses = append(out.WorkerClasses, md.Class)
	}
	var pools []string
	for _, mp := range cc.Spec.Workers.MachinePools {
		pools = append(pools, mp.Class)
	}
	out.MachinePoolClasses = ptrIfAny(pools)
	for _, v := range t.Variables {
		tv, err := templateVariable(v)
		if err != nil {
			return out, fmt.Errorf("ClusterClass %s/%s: variable %s: %w", cc.Namespace, cc.Name, v.Name, err)
		}
		out.Variables = append(out.Variables, tv)
	}
	return out, nil
}

func templateVariable(v capiadapter.Variable) (gen.CapiTemplateVariable, error) {
	s := &v.Schema
	out := gen.CapiTemplateVariable{Name: v.Name, Required: v.Required, Type: ptr.NonZero(s.Type), Description: ptr.NonZero(s.Description)}
	var err error
	if out.Default, err = jsonValue(s.Default); err != nil {
		return out, err
	}
	if len(s.Enum) > 0 {
		enum := make([]any, 0, len(s.Enum))
		for i := range s.Enum {
			e, err := jsonValue(&s.Enum[i])
			if err != nil {
				return out, err
			}
			enum = append(enum, e)
		}
		out.Enum = &enum
	}
	schema := map[string]any{}
	if err := reshape.Into(&schema, s); err != nil {
		return out, err
	}
	out.Schema = &schema
	return out, nil
}

func templateRef(r clusterv1.ClusterClassTemplateReference) *gen.CapiTemplateRef {
	if r.Name == "" {
		return nil
	}
	return &gen.CapiTemplateRef{APIVersion: ptr.NonZero(r.APIVersion), Kind: r.Kind, Name: r.Name}
}

// nodeList is the answer of get_cluster_nodes: Nodes, or Machines and why.
func nodeList(rep *capiadapter.NodeReport) gen.CapiNodeList {
	if rep.FallbackReason == "" {
		nodes := make([]gen.CapiNode, 0, len(rep.Nodes))
		for i := range rep.Nodes {
			nodes = append(nodes, node(&rep.Nodes[i]))
		}
		return gen.CapiNodeList{Source: gen.Workload, Nodes: &nodes}
	}
	machines := make([]gen.CapiMachine, 0, len(rep.Machines))
	for i := range rep.Machines {
		machines = append(machines, machine(&rep.Machines[i]))
	}
	return gen.CapiNodeList{Source: gen.Machines, FallbackReason: &rep.FallbackReason, Machines: &machines}
}

// nodeRolePrefix marks a Node's roles, as kubectl get nodes reads them.
const nodeRolePrefix = "node-role.kubernetes.io/"

func node(n *corev1.Node) gen.CapiNode {
	out := gen.CapiNode{Name: n.Name, Roles: []string{}, KubeletVersion: ptr.NonZero(n.Status.NodeInfo.KubeletVersion)}
	for k := range n.Labels {
		if role, ok := strings.CutPrefix(k, nodeRolePrefix); ok && role != "" {
			out.Roles = append(out.Roles, role)
		}
	}
	sort.Strings(out.Roles)
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Ready = c.Status == corev1.ConditionTrue
		}
	}
	addrs := make([]gen.CapiAddress, 0, len(n.Status.Addresses))
	for _, a := range n.Status.Addresses {
		addrs = append(addrs, gen.CapiAddress{Type: string(a.Type), Address: a.Address})
	}
	out.Addresses = ptrIfAny(addrs)
	return out
}

func machine(m *clusterv1.Machine) gen.CapiMachine {
	_, cp := m.Labels[clusterv1.MachineControlPlaneLabel]
	out := gen.CapiMachine{Name: m.Name, NodeName: ptr.NonZero(m.Status.NodeRef.Name), Phase: ptr.NonZero(m.Status.Phase),
		Version: ptr.NonZero(m.Spec.Version), ControlPlane: cp, ProviderID: ptr.NonZero(m.Spec.ProviderID)}
	if c := findCondition(m.Status.Conditions, clusterv1.MachineReadyCondition); c != nil {
		out.Ready = new(c.Status == "True")
	}
	addrs := make([]gen.CapiAddress, 0, len(m.Status.Addresses))
	for _, a := range m.Status.Addresses {
		addrs = append(addrs, gen.CapiAddress{Type: string(a.Type), Address: a.Address})
	}
	out.Addresses = ptrIfAny(addrs)
	return out
}
