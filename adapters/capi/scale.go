package capi

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/clustergate/clustergate/internal/apierr"
)

// ScaleRequest sets the replicas of one worker machine deployment.
type ScaleRequest struct {
	Replicas int32
	// MachineDeployment names the deployment: a topology worker name or a
	// MachineDeployment's name. Needed only when the cluster has several.
	MachineDeployment string
	// ResourceVersion, when set, makes the write conditional on the written
	// object (the Cluster for topology clusters, else the MachineDeployment).
	ResourceVersion string
}

// Scale targets: what a scale wrote.
const (
	TargetTopology          = "topology"
	TargetMachineDeployment = "machineDeployment"
)

// ScaleResult says what a scale changed.
type ScaleResult struct {
	MachineDeployment string // the topology worker name or MachineDeployment name written
	Target            string // TargetTopology or TargetMachineDeployment
	Previous          *int32
	Replicas          int32
	ResourceVersion   string // of the written object, after the write
}

// ScaleCluster records a new worker replica count. Topology clusters get it
// in spec.topology.workers.machineDeployments[i].replicas, which the
// topology controller applies; other clusters get it on the MachineDeployment
// through its scale subresource. A cluster being deleted is a conflict.
func (a *Adapter) ScaleCluster(ctx context.Context, namespace, name string, req ScaleRequest) (*ScaleResult, error) {
	if req.Replicas < 0 {
		return nil, apierr.BadRequest("replicas: must be 0 or more, not %d", req.Replicas)
	}
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	var res *ScaleResult
	attempt := func() error {
		var cluster clusterv1.Cluster
		if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &cluster); err != nil {
			return err
		}
		if cluster.DeletionTimestamp != nil {
			return conflict("cluster %s/%s is being deleted; it cannot be scaled", namespace, name)
		}
		var err error
		if cluster.Spec.Topology.IsDefined() {
			res, err = scaleTopology(ctx, c, &cluster, req)
		} else {
			res, err = a.scaleMachineDeployment(ctx, c, &cluster, req)
		}
		return err
	}
	// With the caller's resourceVersion a conflict is the answer. Without
	// one, the write is conditional on the version just read, and a
	// concurrent writer makes us read and try again, a bounded number of times.
	if req.ResourceVersion != "" {
		err = attempt()
	} else {
		err = retry.RetryOnConflict(retry.DefaultRetry, attempt)
	}
	if err != nil {
		return nil, a.classify(err, "scale cluster %s/%s", namespace, name)
	}
	return res, nil
}

func scaleTopology(ctx context.Context, c client.Client, cluster *clusterv1.Cluster, req ScaleRequest) (*ScaleResult, error) {
	mds := cluster.Spec.Topology.Workers.MachineDeployments
	names := make([]string, len(mds))
	for i, md := range mds {
		names[i] = md.Name
	}
	want, err := topologyName(ctx, c, cluster, req.MachineDeployment)
	if err != nil {
		return nil, err
	}
	i, err := pick(cluster, names, want)
	if err != nil {
		return nil, err
	}
	rv := cluster.ResourceVersion
	if req.ResourceVersion != "" {
		rv = req.ResourceVersion
	}
	// A JSON patch of the one field, conditional on the resourceVersion: an
	// update of the whole object would drop fields that this build's Cluster
	// API types do not know, and a merge patch would replace the whole list.
	patch, _ := json.Marshal([]map[string]any{
		{"op": "replace", "path": "/metadata/resourceVersion", "value": rv},
		{"op": "add", "path": fmt.Sprintf("/spec/topology/workers/machineDeployments/%d/replicas", i), "value": req.Replicas},
	})
	previous := mds[i].Replicas
	if err := c.Patch(ctx, cluster, client.RawPatch(types.JSONPatchType, patch)); err != nil {
		return nil, err
	}
	return &ScaleResult{MachineDeployment: names[i], Target: TargetTopology, Previous: previous,
		Replicas: req.Replicas, ResourceVersion: cluster.ResourceVersion}, nil
}

// topologyName resolves a MachineDeployment's object name to the topology
// worker it implements, so either name can be given.
func topologyName(ctx context.Context, c client.Client, cluster *clusterv1.Cluster, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	for _, md := range cluster.Spec.Topology.Workers.MachineDeployments {
		if md.Name == name {
			return name, nil
		}
	}
	var md clusterv1.MachineDeployment
	err := c.Get(ctx, client.ObjectKey{Namespace: cluster.Namespace, Name: name}, &md)
	switch {
	case apierrors.IsNotFound(err):
		return name, nil // pick reports it unknown
	case err != nil:
		return "", err
	}
	if t := md.Labels[clusterv1.ClusterTopologyMachineDeploymentNameLabel]; t != "" && md.Labels[clusterv1.ClusterNameLabel] == cluster.Name {
		return t, nil
	}
	return name, nil
}

func (a *Adapter) scaleMachineDeployment(ctx context.Context, c client.Client, cluster *clusterv1.Cluster, req ScaleRequest) (*ScaleResult, error) {
	mds, err := a.machineDeployments(ctx, c, cluster.Namespace, cluster.Name)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(mds))
	for i, md := range mds {
		names[i] = md.Name
	}
	i, err := pick(cluster, names, req.MachineDeployment)
	if err != nil {
		return nil, err
	}
	md := &mds[i]
	scale := &autoscalingv1.Scale{Spec: autoscalingv1.ScaleSpec{Replicas: req.Replicas}}
	scale.ResourceVersion = req.ResourceVersion // empty: unconditional, as kubectl scale
	if err := c.SubResource("scale").Update(ctx, md, client.WithSubResourceBody(scale)); err != nil {
		return nil, err
	}
	return &ScaleResult{MachineDeployment: md.Name, Target: TargetMachineDeployment, Previous: md.Spec.Replicas,
		Replicas: scale.Spec.Replicas, ResourceVersion: scale.ResourceVersion}, nil
}

// pick chooses the machine deployment to scale among names: the one named
// want, or the only one.
func pick(cluster *clusterv1.Cluster, names []string, want string) (int, error) {
	id := cluster.Namespace + "/" + cluster.Name
	switch {
	case len(names) == 0:
		return 0, conflict("cluster %s has no worker machine deployments to scale", id)
	case want == "" && len(names) > 1:
		return 0, apierr.BadRequest("machineDeployment: cluster %s has several worker machine deployments (%s); name one", id, strings.Join(names, ", "))
	case want == "":
		return 0, nil
	}
	for i, n := range names {
		if n == want {
			return i, nil
		}
	}
	return 0, apierr.BadRequest("machineDeployment: cluster %s has no worker machine deployment %q (%s)", id, want, list(names))
}
