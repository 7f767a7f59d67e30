// Package capi serves the Cluster API routes of the facade: it maps each
// generated request onto the Cluster API adapter (adapters/capi) and the
// adapter's Kubernetes objects onto the facade's models, which summarise
// them (phase, versions, replica counts, conditions) rather than copy them.
package capi

import (
	"context"

	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	gen "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/ptr"
)

// Upstream is what the handlers need from a management cluster. The real
// adapter (adapters/capi) implements it.
type Upstream interface {
	ListClusters(ctx context.Context, namespace string) ([]clusterv1.Cluster, error)
	GetCluster(ctx context.Context, namespace, name string) (*capiadapter.ClusterDetail, error)
	CreateCluster(ctx context.Context, namespace string, req capiadapter.CreateRequest) (*clusterv1.Cluster, error)
	DeleteCluster(ctx context.Context, namespace, name string) (gone bool, err error)
	ScaleCluster(ctx context.Context, namespace, name string, req capiadapter.ScaleRequest) (*capiadapter.ScaleResult, error)
	Kubeconfig(ctx context.Context, namespace, name string) (*capiadapter.Kubeconfig, error)
	Nodes(ctx context.Context, namespace, name string) (*capiadapter.NodeReport, error)
	ListTemplates(ctx context.Context, namespace string) ([]capiadapter.Template, error)
}

// Handler implements the generated strict server interface.
type Handler struct {
	up Upstream
}

var _ gen.StrictServerInterface = (*Handler)(nil)

// New returns the handlers for a management cluster.
func New(up Upstream) *Handler { return &Handler{up: up} }

// Listclusters lists the clusters of every namespace, or of the one asked for.
func (h *Handler) Listclusters(ctx context.Context, req gen.ListclustersRequestObject) (gen.ListclustersResponseObject, error) {
	list, err := h.clusterList(ctx, ptr.Deref(req.Params.Namespace))
	return gen.Listclusters200JSONResponse(list), err
}

// Listnamespacedclusters lists the clusters of one namespace.
func (h *Handler) Listnamespacedclusters(ctx context.Context, req gen.ListnamespacedclustersRequestObject) (gen.ListnamespacedclustersResponseObject, error) {
	list, err := h.clusterList(ctx, req.Namespace)
	return gen.Listnamespacedclusters200JSONResponse(list), err
}

func (h *Handler) clusterList(ctx context.Context, namespace string) (gen.CapiClusterList, error) {
	clusters, err := h.up.ListClusters(ctx, namespace)
	if err != nil {
		return gen.CapiClusterList{}, err
	}
	out := gen.CapiClusterList{Items: make([]gen.CapiClusterSummary, 0, len(clusters))}
	for i := range clusters {
		out.Items = append(out.Items, summary(&clusters[i]))
	}
	return out, nil
}

// Getcluster returns a cluster in full.
func (h *Handler) Getcluster(ctx context.Context, req gen.GetclusterRequestObject) (gen.GetclusterResponseObject, error) {
	d, err := h.up.GetCluster(ctx, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	out, err := detail(&d.Cluster, d.MachineDeployments)
	return gen.Getcluster200JSONResponse(out), err
}

// Deletecluster asks for a cluster's deletion: 202, since Cluster API tears
// it down asynchronously.
func (h *Handler) Deletecluster(ctx context.Context, req gen.DeleteclusterRequestObject) (gen.DeleteclusterResponseObject, error) {
	gone, err := h.up.DeleteCluster(ctx, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	return gen.Deletecluster202JSONResponse{Namespace: req.Namespace, Name: req.Name, Gone: gone}, nil
}

// Listclustertemplates lists the ClusterClasses of every namespace, or of
// the one asked for.
func (h *Handler) Listclustertemplates(ctx context.Context, req gen.ListclustertemplatesRequestObject) (gen.ListclustertemplatesResponseObject, error) {
	list, err := h.templateList(ctx, ptr.Deref(req.Params.Namespace))
	return gen.Listclustertemplates200JSONResponse(list), err
}

// Listnamespacedclustertemplates lists the ClusterClasses of one namespace.
func (h *Handler) Listnamespacedclustertemplates(ctx context.Context, req gen.ListnamespacedclustertemplatesRequestObject) (gen.ListnamespacedclustertemplatesResponseObject, error) {
	list, err := h.templateList(ctx, req.Namespace)
	return gen.Listnamespacedclustertemplates200JSONResponse(list), err
}

func (h *Handler) templateList(ctx context.Context, namespace string) (gen.CapiClusterTemplateList, error) {
	templates, err := h.up.ListTemplates(ctx, namespace)
	if err != nil {
		return gen.CapiClusterTemplateList{}, err
	}
	out := gen.CapiClusterTemplateList{Items: make([]gen.CapiClusterTemplate, 0, len(templates))}
	for i := range templates {
		t, err := template(&templates[i])
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, t)
	}
	return out, nil
}

// requireBody turns a missing body into a 400 (the strict server passes nil
// when the request has none).
func requireBody[T any](body *T) error {
	if body == nil {
		return apierr.BadRequest("body: a JSON request body is required")
	}
	return nil
}
