package capi

import (
	"context"
	"sync"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
)

// Lazy is a Sandbox built on its first call. Seeding the in-memory
// management cluster is most of clustergate's start-up time when the
// sandbox is on; a client that never touches the Cluster API (a desktop MCP
// session about Incus, say) should not wait for it.
type Lazy struct {
	once sync.Once
	opts []Option
	sb   *Sandbox
}

// NewLazy returns a sandbox that is built on first use with opts.
func NewLazy(opts ...Option) *Lazy { return &Lazy{opts: opts} }

func (l *Lazy) get() *Sandbox {
	l.once.Do(func() { l.sb = New(l.opts...) })
	return l.sb
}

// ListClusters lists the sandbox's clusters.
func (l *Lazy) ListClusters(ctx context.Context, namespace string) ([]clusterv1.Cluster, error) {
	return l.get().ListClusters(ctx, namespace)
}

// GetCluster returns one sandbox cluster.
func (l *Lazy) GetCluster(ctx context.Context, namespace, name string) (*capiadapter.ClusterDetail, error) {
	return l.get().GetCluster(ctx, namespace, name)
}

// CreateCluster creates a sandbox cluster from its template.
func (l *Lazy) CreateCluster(ctx context.Context, namespace string, req capiadapter.CreateRequest) (*clusterv1.Cluster, error) {
	return l.get().CreateCluster(ctx, namespace, req)
}

// DeleteCluster deletes a sandbox cluster.
func (l *Lazy) DeleteCluster(ctx context.Context, namespace, name string) (bool, error) {
	return l.get().DeleteCluster(ctx, namespace, name)
}

// ScaleCluster scales a sandbox cluster's workers.
func (l *Lazy) ScaleCluster(ctx context.Context, namespace, name string, req capiadapter.ScaleRequest) (*capiadapter.ScaleResult, error) {
	return l.get().ScaleCluster(ctx, namespace, name, req)
}

// Kubeconfig returns a sandbox cluster's kubeconfig.
func (l *Lazy) Kubeconfig(ctx context.Context, namespace, name string) (*capiadapter.Kubeconfig, error) {
	return l.get().Kubeconfig(ctx, namespace, name)
}

// Nodes lists a sandbox cluster's nodes (its machines).
func (l *Lazy) Nodes(ctx context.Context, namespace, name string) (*capiadapter.NodeReport, error) {
	return l.get().Nodes(ctx, namespace, name)
}

// ListTemplates lists the sandbox's ClusterClasses.
func (l *Lazy) ListTemplates(ctx context.Context, namespace string) ([]capiadapter.Template, error) {
	return l.get().ListTemplates(ctx, namespace)
}
