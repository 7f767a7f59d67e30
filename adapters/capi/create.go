package capi

import (
	"context"
	"encoding/json"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/clustergate/clustergate/internal/apierr"
)

// CreateRequest is a topology Cluster to create from a ClusterClass.
type CreateRequest struct {
	Name                 string
	Class                string // the ClusterClass
	ClassNamespace       string // empty: the cluster's namespace
	Version              string // Kubernetes version, e.g. v1.36.3
	ControlPlaneReplicas *int32 // nil: the control plane provider decides
	Workers              []Worker
	Variables            map[string]any // decoded JSON values, by variable name
	Labels               map[string]string
	DryRun               bool // let the API server admit the object without storing it
}

// Worker is a worker machine deployment of the topology.
type Worker struct {
	Class    string
	Name     string
	Replicas *int32
}

// CreateCluster checks req against its ClusterClass, then creates the
// topology Cluster and returns it as the API server stored it (or would
// have, with DryRun). Cluster API provisions it asynchronously.
func (a *Adapter) CreateCluster(ctx context.Context, namespace string, req CreateRequest) (*clusterv1.Cluster, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	classNS := req.ClassNamespace
	if classNS == "" {
		classNS = namespace
	}
	var cc clusterv1.ClusterClass
	if err := c.Get(ctx, client.ObjectKey{Namespace: classNS, Name: req.Class}, &cc); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &apierr.Error{Status: 400, Upstream: Name, Err: err, Message: fmt.Sprintf(
				"template: no ClusterClass %s/%s (list_cluster_templates lists the templates)", classNS, req.Class)}
		}
		return nil, a.classify(err, "get cluster class %s/%s", classNS, req.Class)
	}
	vars, err := checkAgainstClass(&req, &cc)
	if err != nil {
		return nil, err
	}
	cluster, err := buildCluster(namespace, &req, vars)
	if err != nil {
		return nil, err
	}
	var opts []client.CreateOption
	if req.DryRun {
		opts = append(opts, client.DryRunAll)
	}
	if err := c.Create(ctx, cluster, opts...); err != nil {
		return nil, a.classify(err, "create cluster %s/%s", namespace, req.Name)
	}
	return cluster, nil
}

// buildCluster is the topology Cluster for a checked request; vars are the
// variables to set, defaults included.
func buildCluster(namespace string, req *CreateRequest, vars map[string]any) (*clusterv1.Cluster, error) {
	cluster := &clusterv1.Cluster{}
	cluster.Namespace, cluster.Name, cluster.Labels = namespace, req.Name, req.Labels
	t := &cluster.Spec.Topology
	t.ClassRef.Name = req.Class
	if req.ClassNamespace != "" && req.ClassNamespace != namespace {
		t.ClassRef.Namespace = req.ClassNamespace
	}
	t.Version = req.Version
	t.ControlPlane.Replicas = req.ControlPlaneReplicas
	for _, w := range req.Workers {
		t.Workers.MachineDeployments = append(t.Workers.MachineDeployments,
			clusterv1.MachineDeploymentTopology{Class: w.Class, Name: w.Name, Replicas: w.Replicas})
	}
	for _, name := range sortedKeys(vars) {
		raw, err := json.Marshal(vars[name])
		if err != nil {
			return nil, apierr.BadRequest("variables.%s: %v", name, err)
		}
		t.Variables = append(t.Variables, clusterv1.ClusterVariable{Name: name, Value: apiextensionsv1.JSON{Raw: raw}})
	}
	return cluster, nil
}
