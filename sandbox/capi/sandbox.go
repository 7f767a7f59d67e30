// Package capi is an in-memory Cluster API management cluster that
// implements the Cluster API handlers' Upstream interface, so clustergate
// can serve its Cluster API routes with no Kubernetes at all.
//
// It is the real adapter (adapters/capi) over an in-memory Kubernetes API:
// controller-runtime's fake client, behind interceptors that add what the
// fake lacks and a real API server does (name validation, namespaces that
// must exist, uids and creation times, the API server's conflict message).
// So create_cluster validates against the ClusterClass with the adapter's
// own code, and every answer and error has the adapter's shapes. What no API
// server does, Cluster API's controllers do; the sandbox plays them on every
// call (see reconcile): finalizers, MachineDeployments and Machines for the
// topology, status, the kubeconfig Secret, and deletion.
//
// Time drives the controllers: a cluster is Provisioning for
// ProvisioningTime after its creation, then Provisioned; a deleted cluster
// is Deleting for DeletionTime, then gone. Phases are computed from the
// clock on each call, never by a goroutine, so nothing runs in the
// background and WithClock makes every step reproducible.
package capi

import (
	"context"
	"sync"
	"time"

	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	capihandlers "github.com/clustergate/clustergate/handlers/capi"
)

var (
	_ capihandlers.Upstream = (*Sandbox)(nil)
	_ capihandlers.Upstream = (*Lazy)(nil)
)

// How long the simulated controllers take.
const (
	// InfrastructureTime is when a new cluster's infrastructure is ready.
	InfrastructureTime = 2 * time.Second
	// ProvisioningTime is when a new cluster is Provisioned: control plane
	// initialized, machines running, kubeconfig Secret written.
	ProvisioningTime = 5 * time.Second
	// DeletionTime is how long a deleted cluster stays Deleting.
	DeletionTime = 3 * time.Second
)

// Sandbox is an in-memory management cluster. It is safe for concurrent
// use: calls are serialized, so the controllers' work and the call see one
// consistent state.
type Sandbox struct {
	mu       sync.Mutex
	now      func() time.Time
	store    client.WithWatch // the fake API as stored, for the controllers
	adapter  *capiadapter.Adapter
	seq      int                  // feeds uids
	backdate time.Duration        // subtracted from creation times while seeding
	deleting map[string]time.Time // namespace/name -> when deletion was asked
}

// Option configures a Sandbox.
type Option func(*Sandbox)

// WithClock makes the sandbox read the time from now: tests advance it to
// move clusters through their phases.
func WithClock(now func() time.Time) Option {
	return func(s *Sandbox) { s.now = now }
}

// New returns a management cluster with namespace "default" holding the
// QuickStart ClusterClass and DemoCluster, a cluster already Provisioned.
func New(opts ...Option) *Sandbox {
	s := &Sandbox{now: time.Now, deleting: map[string]time.Time{}}
	for _, o := range opts {
		o(s)
	}
	s.store, s.adapter = newAPI(s)
	s.seed()
	return s
}

// do runs one Upstream call: the controllers catch up with the clock first,
// under the lock, so the call sees the state the clock implies.
func do[T any](s *Sandbox, ctx context.Context, call func() (T, error)) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reconcile(ctx); err != nil {
		var zero T
		return zero, err
	}
	return call()
}

// ListClusters lists the Clusters of namespace, or of all namespaces.
func (s *Sandbox) ListClusters(ctx context.Context, namespace string) ([]clusterv1.Cluster, error) {
	return do(s, ctx, func() ([]clusterv1.Cluster, error) { return s.adapter.ListClusters(ctx, namespace) })
}

// GetCluster returns a Cluster with its MachineDeployments.
func (s *Sandbox) GetCluster(ctx context.Context, namespace, name string) (*capiadapter.ClusterDetail, error) {
	return do(s, ctx, func() (*capiadapter.ClusterDetail, error) { return s.adapter.GetCluster(ctx, namespace, name) })
}

// CreateCluster creates a topology Cluster from a ClusterClass, validated
// by the adapter; it is Provisioning until ProvisioningTime has passed.
func (s *Sandbox) CreateCluster(ctx context.Context, namespace string, req capiadapter.CreateRequest) (*clusterv1.Cluster, error) {
	return do(s, ctx, func() (*clusterv1.Cluster, error) { return s.adapter.CreateCluster(ctx, namespace, req) })
}

// DeleteCluster asks for a cluster's deletion: the finalizer keeps it,
// Deleting, for DeletionTime, so gone is false.
func (s *Sandbox) DeleteCluster(ctx context.Context, namespace, name string) (bool, error) {
	return do(s, ctx, func() (bool, error) {
		gone, err := s.adapter.DeleteCluster(ctx, namespace, name)
		if err == nil && !gone {
			if _, ok := s.deleting[namespace+"/"+name]; !ok {
				s.deleting[namespace+"/"+name] = s.now()
			}
		}
		return gone, err
	})
}

// ScaleCluster records a new worker replica count in the topology; the
// controllers then resize the MachineDeployment and its Machines.
func (s *Sandbox) ScaleCluster(ctx context.Context, namespace, name string, req capiadapter.ScaleRequest) (*capiadapter.ScaleResult, error) {
	return do(s, ctx, func() (*capiadapter.ScaleResult, error) { return s.adapter.ScaleCluster(ctx, namespace, name, req) })
}

// Kubeconfig returns the admin kubeconfig of a Provisioned cluster; before
// that, the adapter's 404 says the control plane is not initialized.
func (s *Sandbox) Kubeconfig(ctx context.Context, namespace, name string) (*capiadapter.Kubeconfig, error) {
	return do(s, ctx, func() (*capiadapter.Kubeconfig, error) { return s.adapter.Kubeconfig(ctx, namespace, name) })
}

// Nodes lists the cluster's Machines, and why not its Nodes: the workload
// clusters of the sandbox have no API to ask.
func (s *Sandbox) Nodes(ctx context.Context, namespace, name string) (*capiadapter.NodeReport, error) {
	return do(s, ctx, func() (*capiadapter.NodeReport, error) { return s.nodes(ctx, namespace, name) })
}

// ListTemplates lists the ClusterClasses of namespace, or of all namespaces.
func (s *Sandbox) ListTemplates(ctx context.Context, namespace string) ([]capiadapter.Template, error) {
	return do(s, ctx, func() ([]capiadapter.Template, error) { return s.adapter.ListTemplates(ctx, namespace) })
}
