// Package capi is clustergate's adapter to a Cluster API management cluster:
// the Kubernetes API that stores cluster.x-k8s.io objects, reached with a
// controller-runtime client (sigs.k8s.io/controller-runtime) over the
// Cluster API v1.14 API types (sigs.k8s.io/cluster-api/api, v1beta2 only:
// every CRD serves v1beta1 too, without a conversion webhook, so reading
// through v1beta1 would return v1beta2 data under the wrong labels).
//
// Besides those, it uses k8s.io/client-go's clientcmd to read kubeconfigs
// (clustergate's own and the workload clusters'; the kubeconfig Secret's
// name and key are restated in secret.go), and k8s.io/kube-openapi's validator to check create_cluster's
// variables against the ClusterClass's OpenAPI schemas: it is already in the
// module graph through client-go, and it is the validator family the API
// server itself uses.
//
// Every call carries the caller's context and deadline, and failures become
// apierr errors with the status the facade answers (see classify).
package capi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/clustergate/clustergate/internal/apierr"
)

// Name is how errors, logs and /readyz name this upstream.
const Name = "capi"

// Configure tells an operator how to point clustergate at a management
// cluster; errors and /readyz both say it.
const Configure = "set KUBECONFIG (an exported KUBECONFIG counts) to the management cluster's kubeconfig, or run clustergate in that cluster"

// Config says which management cluster to talk to.
type Config struct {
	// Kubeconfig is a kubeconfig path, or several joined by the OS list
	// separator as kubectl reads $KUBECONFIG. Empty means the in-cluster
	// service account.
	Kubeconfig string
	// Context selects a context of Kubeconfig; empty means its current one.
	Context string
	// WorkloadTimeout bounds the calls to a workload cluster's API (nodes),
	// so the Machine fallback still fits in the request deadline.
	WorkloadTimeout time.Duration
	// Impersonate makes every call act as the request's caller (Kubernetes
	// impersonation), so the management cluster's RBAC decides per caller;
	// clustergate's own credential then needs only the impersonate verb.
	Impersonate bool
}

// Adapter talks to one management cluster. It builds its client on first
// use, and again after a failed attempt, so clustergate starts without it.
type Adapter struct {
	cfg Config
	mu  sync.Mutex
	c   client.Client
}

// New returns an adapter; it reads no configuration and contacts nothing yet.
func New(cfg Config) *Adapter {
	if cfg.WorkloadTimeout <= 0 {
		cfg.WorkloadTimeout = 10 * time.Second
	}
	return &Adapter{cfg: cfg}
}

// NewWithClient returns an adapter working through c instead of a client
// built from a kubeconfig. The embedded sandbox runs this adapter over an
// in-memory client, so validation, create, scale and error mapping are the
// real adapter's code, not a copy that could drift.
func NewWithClient(cfg Config, c client.Client) *Adapter {
	a := New(cfg)
	a.c = c
	return a
}

// scheme holds the only types this adapter reads and writes: core/v1
// (Secrets, Nodes), autoscaling/v1 (the scale subresource) and
// cluster.x-k8s.io/v1beta2.
var scheme = newScheme()

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(s))
	utilruntime.Must(autoscalingv1.AddToScheme(s))
	utilruntime.Must(clusterv1.AddToScheme(s))
	return s
}

// client returns the shared client, building it when needed.
func (a *Adapter) client() (client.Client, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.c != nil {
		return a.c, nil
	}
	cfg, err := a.restConfig()
	if err != nil {
		return nil, err
	}
	if a.cfg.Impersonate {
		cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return impersonating{next: rt} })
	}
	c, err := newClient(cfg, nil)
	if err != nil {
		return nil, apierr.Upstream(Name, http.StatusServiceUnavailable, err, "capi: cannot build a Kubernetes client: %v", err)
	}
	a.c = c
	return c, nil
}

// restConfig loads the management cluster's connection settings. It never
// reads ~/.kube/config implicitly: the configured path or the in-cluster
// service account, nothing else, so what clustergate talks to is explicit.
func (a *Adapter) restConfig() (*rest.Config, error) {
	if a.cfg.Kubeconfig == "" {
		cfg, err := rest.InClusterConfig()
		if err != nil {
			return nil, apierr.Upstream(Name, http.StatusServiceUnavailable, err,
				"capi upstream is not configured: %v; %s", err, Configure)
		}
		return cfg, nil
	}
	paths := filepath.SplitList(a.cfg.Kubeconfig)
	if !anyExists(paths) {
		// clientcmd skips missing files and would only say the merged
		// configuration is empty.
		return nil, apierr.Upstream(Name, http.StatusServiceUnavailable, nil,
			"capi upstream is misconfigured: kubeconfig %s: no such file", a.cfg.Kubeconfig)
	}
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: paths}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: a.cfg.Context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		// clientcmd's messages name files and contexts, never credentials.
		return nil, apierr.Upstream(Name, http.StatusServiceUnavailable, err,
			"capi upstream is misconfigured: kubeconfig %s: %v", a.cfg.Kubeconfig, err)
	}
	return cfg, nil
}

func anyExists(paths []string) bool {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// newClient builds a controller-runtime client for cfg with this adapter's
// scheme. A nil mapper means controller-runtime's, which discovers API
// groups lazily, so nothing is contacted here.
func newClient(cfg *rest.Config, mapper meta.RESTMapper) (client.Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "clustergate"
	// The client's default limits (5 QPS, burst 10) would queue a gateway's
	// concurrent requests behind each other; the request deadline bounds them.
	cfg.QPS, cfg.Burst = 50, 100
	// API warnings would go to controller-runtime's global logger, which
	// clustergate does not use (it logs with slog); v1beta2 raises none.
	cfg.WarningHandlerWithContext = rest.NoWarnings{}
	c, err := client.New(cfg, client.Options{Scheme: scheme, Mapper: mapper})
	if err != nil {
		return nil, fmt.Errorf("new client: %w", err)
	}
	return c, nil
}

// Ping checks that the management cluster answers and serves Cluster API's
// v1beta2 Clusters to clustergate's identity; /readyz reports its error.
func (a *Adapter) Ping(ctx context.Context) error {
	c, err := a.client()
	if err != nil {
		return err
	}
	if a.cfg.Impersonate {
		// Without a caller there is nobody to impersonate: check that the
		// API serves v1beta2 Clusters through discovery, which every
		// authenticated identity may read.
		_, err := c.RESTMapper().RESTMapping(clusterv1.GroupVersion.WithKind("Cluster").GroupKind(), clusterv1.GroupVersion.Version)
		return a.classify(err, "discover cluster.x-k8s.io/v1beta2")
	}
	return a.classify(c.List(ctx, &clusterv1.ClusterList{}, client.Limit(1)), "list clusters")
}
