package capi

import (
	"context"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	gen "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/internal/ptr"
)

// Createcluster creates a topology cluster from a ClusterClass: 202 with the
// new cluster (Cluster API provisions it asynchronously), or 200 with the
// cluster that would be created on a dry run.
func (h *Handler) Createcluster(ctx context.Context, req gen.CreateclusterRequestObject) (gen.CreateclusterResponseObject, error) {
	if err := requireBody(req.Body); err != nil {
		return nil, err
	}
	b := req.Body
	in := capiadapter.CreateRequest{
		Name: b.Name, Class: b.Template, ClassNamespace: ptr.Deref(b.TemplateNamespace), Version: b.KubernetesVersion,
		ControlPlaneReplicas: b.ControlPlaneReplicas, Variables: ptr.Deref(b.Variables), Labels: ptr.Deref(b.Labels),
		DryRun: ptr.Deref(req.Params.DryRun),
	}
	for _, w := range ptr.Deref(b.Workers) {
		in.Workers = append(in.Workers, capiadapter.Worker{Class: w.Class, Name: w.Name, Replicas: w.Replicas})
	}
	cluster, err := h.up.CreateCluster(ctx, req.Namespace, in)
	if err != nil {
		return nil, err
	}
	out, err := detail(cluster, nil)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return gen.Createcluster200JSONResponse(out), nil
	}
	return gen.Createcluster202JSONResponse(out), nil
}

// Scalecluster records a new worker replica count: 202, since Cluster API
// creates or deletes the machines asynchronously.
func (h *Handler) Scalecluster(ctx context.Context, req gen.ScaleclusterRequestObject) (gen.ScaleclusterResponseObject, error) {
	if err := requireBody(req.Body); err != nil {
		return nil, err
	}
	res, err := h.up.ScaleCluster(ctx, req.Namespace, req.Name, capiadapter.ScaleRequest{
		Replicas: req.Body.Replicas, MachineDeployment: ptr.Deref(req.Body.MachineDeployment),
		ResourceVersion: ptr.Deref(req.Body.ResourceVersion),
	})
	if err != nil {
		return nil, err
	}
	return gen.Scalecluster202JSONResponse{
		Namespace: req.Namespace, Cluster: req.Name, MachineDeployment: res.MachineDeployment,
		Target: gen.CapiScaleResultTarget(res.Target), PreviousReplicas: res.Previous, Replicas: res.Replicas,
		ResourceVersion: ptr.NonZero(res.ResourceVersion),
	}, nil
}

// Getclusterkubeconfig returns a cluster's admin kubeconfig. The route is
// x-sensitive: the answer is a credential, and nothing here logs it.
func (h *Handler) Getclusterkubeconfig(ctx context.Context, req gen.GetclusterkubeconfigRequestObject) (gen.GetclusterkubeconfigResponseObject, error) {
	kc, err := h.up.Kubeconfig(ctx, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	return gen.Getclusterkubeconfig200JSONResponse{Namespace: req.Namespace, Cluster: req.Name,
		Secret: kc.Secret, Kubeconfig: string(kc.Data)}, nil
}

// Getclusternodes lists a cluster's nodes, or its Machines when the
// workload cluster's API could not be used.
func (h *Handler) Getclusternodes(ctx context.Context, req gen.GetclusternodesRequestObject) (gen.GetclusternodesResponseObject, error) {
	rep, err := h.up.Nodes(ctx, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	return gen.Getclusternodes200JSONResponse(nodeList(rep)), nil
}
