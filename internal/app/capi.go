package app

import (
	"fmt"
	"os"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	"github.com/clustergate/clustergate/generated/capiclusters"
	capihandlers "github.com/clustergate/clustergate/handlers/capi"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/server"
	capisandbox "github.com/clustergate/clustergate/sandbox/capi"
)

// capiSurface builds the Cluster API surface. The adapter reads its
// kubeconfig on first use, so clustergate starts without the management
// cluster and /readyz says what is missing.
func capiSurface(cfg *config.Config) (server.Surface, error) {
	spec, err := capiclusters.GetSwagger()
	if err != nil {
		return server.Surface{}, fmt.Errorf("load capi facade spec: %w", err)
	}
	s := server.Surface{Name: surfaceName(spec), Upstream: capiadapter.Name, Spec: spec}
	for _, u := range cfg.CAPIUpstreams() {
		by := "upstreams.capi " + u.Name + " (" + cfg.Source(config.UpstreamsKey) + ")"
		if u.Flags {
			// The adapter never reads ~/.kube/config implicitly: a kubeconfig
			// must be named, or clustergate must run in a cluster.
			by = configuredBy(cfg, "kubeconfig")
			if by == "" && os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
				by = "running in a Kubernetes cluster (KUBERNETES_SERVICE_HOST is set): its service account"
			}
		}
		n := named(u.Common, by, capiadapter.Configure)
		var up capihandlers.Upstream
		if useSandbox(cfg, by != "") {
			up, n.Ready, n.Backend = capisandbox.NewLazy(), sandboxReady, server.BackendSandbox
		} else {
			a := capiadapter.New(capiadapter.Config{
				Kubeconfig: u.Kubeconfig, Context: u.Context, WorkloadTimeout: u.WorkloadTimeout,
				Impersonate: *u.Impersonate,
			})
			up, n.Ready, n.Breaker = a, a.Ping, upstreamBreaker(cfg, capiadapter.Name, u.Common)
		}
		h := capihandlers.New(up)
		n.Register = func(r *server.Router) { capiclusters.RegisterHandlers(r, capiclusters.NewStrictHandler(h, nil)) }
		s.Named = append(s.Named, n)
	}
	return withDefault(s), nil
}
