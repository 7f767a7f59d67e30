package app

import (
	"fmt"
	"os"

	"github.com/labstack/echo/v4"

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
	// The adapter never reads ~/.kube/config implicitly: a kubeconfig must be
	// named, or clustergate must run in a cluster.
	by := configuredBy(cfg, "kubeconfig")
	if by == "" && os.Getenv("KUBERNETES_SERVICE_HOST") != "" {
		by = "running in a Kubernetes cluster (KUBERNETES_SERVICE_HOST is set): its service account"
	}
	configured := by != ""
	s := server.Surface{Name: surfaceName(spec), Upstream: capiadapter.Name, Spec: spec, Backend: server.BackendUpstream,
		Configured: configuredFunc(by, capiadapter.Configure)}
	var up capihandlers.Upstream
	if useSandbox(cfg, configured) {
		up, s.Ready, s.Backend = capisandbox.NewLazy(), sandboxReady, server.BackendSandbox
	} else {
		a := capiadapter.New(capiadapter.Config{
			Kubeconfig: cfg.Kubeconfig, Context: cfg.KubeContext, WorkloadTimeout: cfg.CAPIWorkloadTimeout,
			Impersonate: cfg.CAPIImpersonate,
		})
		up, s.Ready = a, a.Ping
	}
	h := capihandlers.New(up)
	s.Register = func(e *echo.Echo) { capiclusters.RegisterHandlers(e, capiclusters.NewStrictHandler(h, nil)) }
	return s, nil
}
