package capi

import (
	"encoding/json"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	gen "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/internal/ptr"
)

// summary is a cluster's line in a list.
func summary(c *clusterv1.Cluster) gen.CapiClusterSummary {
	t := &c.Spec.Topology
	return gen.CapiClusterSummary{
		Name: c.Name, Namespace: c.Namespace, Phase: ptr.NonZero(c.Status.Phase),
		KubernetesVersion: ptr.NonZero(t.Version), Class: ptr.NonZero(t.ClassRef.Name), ClassNamespace: ptr.NonZero(t.ClassRef.Namespace),
		Topology: t.IsDefined(), Paused: ptr.Deref(c.Spec.Paused), Deleting: c.DeletionTimestamp != nil,
		ControlPlane: controlPlaneReplicas(c), Workers: workerReplicas(c),
		Available: findCondition(c.Status.Conditions, clusterv1.ClusterAvailableCondition), CreatedAt: timeOf(c.CreationTimestamp),
	}
}

// detail is a cluster in full; mds are its MachineDeployments.
func detail(c *clusterv1.Cluster, mds []clusterv1.MachineDeployment) (gen.CapiCluster, error) {
	s := summary(c)
	out := gen.CapiCluster{
		Name: s.Name, Namespace: s.Namespace, Phase: s.Phase, KubernetesVersion: s.KubernetesVersion,
		Class: s.Class, ClassNamespace: s.ClassNamespace, Topology: s.Topology, Paused: s.Paused,
		Deleting: s.Deleting, ControlPlane: s.ControlPlane, Workers: s.Workers, Available: s.Available, CreatedAt: s.CreatedAt,
		UID: ptr.NonZero(string(c.UID)), ResourceVersion: ptr.NonZero(c.ResourceVersion),
		ControlPlaneRef: objectRef(c.Spec.ControlPlaneRef), InfrastructureRef: objectRef(c.Spec.InfrastructureRef),
		InfrastructureProvisioned: c.Status.Initialization.InfrastructureProvisioned,
		ControlPlaneInitialized:   c.Status.Initialization.ControlPlaneInitialized,
		Conditions:                conditions(c.Status.Conditions),
		MachineDeployments:        make([]gen.CapiMachineDeployment, 0, len(mds)),
	}
	if c.DeletionTimestamp != nil {
		out.DeletionTimestamp = timeOf(*c.DeletionTimestamp)
	}
	if len(c.Labels) > 0 {
		out.Labels = &c.Labels
	}
	if ep := c.Spec.ControlPlaneEndpoint; ep.Host != "" {
		out.ControlPlaneEndpoint = &struct {
			Host *string `json:"host,omitempty"`
			Port *int32  `json:"port,omitempty"`
		}{Host: &ep.Host, Port: ptr.NonZero(ep.Port)}
	}
	if err := topologyDetail(&out, &c.Spec.Topology); err != nil {
		return out, fmt.Errorf("cluster %s/%s: %w", c.Namespace, c.Name, err)
	}
	for i := range mds {
		out.MachineDeployments = append(out.MachineDeployments, machineDeployment(&mds[i]))
	}
	return out, nil
}

func topologyDetail(out *gen.CapiCluster, t *clusterv1.Topology) error {
	if !t.IsDefined() {
		return nil
	}
	workers := make([]gen.CapiWorker, 0, len(t.Workers.MachineDeployments))
	for _, md := range t.Workers.MachineDeployments {
		workers = append(workers, gen.CapiWorker{Class: md.Class, Name: md.Name, Replicas: md.Replicas})
	}
	out.TopologyWorkers = &workers
	vars := make([]gen.CapiVariable, 0, len(t.Variables))
	for _, v := range t.Variables {
		val, err := jsonValue(&v.Value)
		if err != nil {
			return fmt.Errorf("variable %s: %w", v.Name, err)
		}
		vars = append(vars, gen.CapiVariable{Name: v.Name, Value: val})
	}
	out.Variables = &vars
	return nil
}

func machineDeployment(md *clusterv1.MachineDeployment) gen.CapiMachineDeployment {
	st := &md.Status
	return gen.CapiMachineDeployment{
		Name: md.Name, TopologyName: ptr.NonZero(md.Labels[clusterv1.ClusterTopologyMachineDeploymentNameLabel]),
		ResourceVersion: ptr.NonZero(md.ResourceVersion), Phase: ptr.NonZero(st.Phase),
		Replicas: gen.CapiReplicas{Desired: md.Spec.Replicas, Current: st.Replicas, Ready: st.ReadyReplicas,
			Available: st.AvailableReplicas, UpToDate: st.UpToDateReplicas},
		Conditions: ptrIfAny(conditions(st.Conditions)),
	}
}

// controlPlaneReplicas reports the control plane's counters; desired falls
// back to the topology's request until Cluster API reports its own.
func controlPlaneReplicas(c *clusterv1.Cluster) gen.CapiReplicas {
	out := gen.CapiReplicas{Desired: c.Spec.Topology.ControlPlane.Replicas}
	if s := c.Status.ControlPlane; s != nil {
		out = gen.CapiReplicas{Desired: firstSet(s.DesiredReplicas, out.Desired), Current: s.Replicas,
			Ready: s.ReadyReplicas, Available: s.AvailableReplicas, UpToDate: s.UpToDateReplicas}
	}
	return out
}

// workerReplicas reports the workers' counters; desired falls back to the
// sum of the topology's machine deployments until Cluster API reports it.
func workerReplicas(c *clusterv1.Cluster) gen.CapiReplicas {
	var desired *int32
	for _, md := range c.Spec.Topology.Workers.MachineDeployments {
		if md.Replicas != nil {
			desired = new(ptr.Deref(desired) + *md.Replicas)
		}
	}
	out := gen.CapiReplicas{Desired: desired}
	if s := c.Status.Workers; s != nil {
		out = gen.CapiReplicas{Desired: firstSet(s.DesiredReplicas, desired), Current: s.Replicas,
			Ready: s.ReadyReplicas, Available: s.AvailableReplicas, UpToDate: s.UpToDateReplicas}
	}
	return out
}

func firstSet(ps ...*int32) *int32 {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

func conditions(cs []metav1.Condition) []gen.CapiCondition {
	out := make([]gen.CapiCondition, 0, len(cs))
	for i := range cs {
		out = append(out, condition(&cs[i]))
	}
	return out
}

func condition(c *metav1.Condition) gen.CapiCondition {
	return gen.CapiCondition{Type: c.Type, Status: gen.CapiConditionStatus(c.Status),
		Reason: ptr.NonZero(c.Reason), Message: ptr.NonZero(c.Message), LastTransitionTime: timeOf(c.LastTransitionTime)}
}

func findCondition(cs []metav1.Condition, typ string) *gen.CapiCondition {
	for i := range cs {
		if cs[i].Type == typ {
			c := condition(&cs[i])
			return &c
		}
	}
	return nil
}

func objectRef(r clusterv1.ContractVersionedObjectReference) *gen.CapiObjectRef {
	if r.Name == "" {
		return nil
	}
	return &gen.CapiObjectRef{APIGroup: ptr.NonZero(r.APIGroup), Kind: r.Kind, Name: r.Name}
}

func timeOf(t metav1.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t.Time
}

// jsonValue decodes a Kubernetes JSON field (a variable's value, a schema
// default) to plain JSON values; nil when unset.
func jsonValue(j *apiextensionsv1.JSON) (any, error) {
	if j == nil || len(j.Raw) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(j.Raw, &v); err != nil {
		return nil, fmt.Errorf("decode JSON value: %w", err)
	}
	return v, nil
}

func ptrIfAny[T any](s []T) *[]T {
	if len(s) == 0 {
		return nil
	}
	return &s
}
