// Package app wires configuration to adapters, handlers and surfaces: the
// only place that knows every upstream.
package app

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	incusadapter "github.com/clustergate/clustergate/adapters/incus"
	"github.com/clustergate/clustergate/generated/incuscluster"
	incushandlers "github.com/clustergate/clustergate/handlers/incus"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/server"
)

// Surfaces builds every surface from the configuration. No upstream is
// contacted here: clustergate starts without its upstreams.
func Surfaces(cfg *config.Config) ([]server.Surface, error) {
	spec, err := incuscluster.GetSwagger()
	if err != nil {
		return nil, fmt.Errorf("load incus facade spec: %w", err)
	}
	incus := incusadapter.New(incusadapter.Config{
		Socket: cfg.IncusSocket, URL: cfg.IncusURL, APIKey: cfg.IncusAPIKey, Wait: cfg.IncusWait,
		ClientCert: cfg.IncusClientCert, ClientKey: cfg.IncusClientKey, ServerCert: cfg.IncusServerCert,
	})
	h := incushandlers.New(incus)
	return []server.Surface{{
		Name: surfaceName(spec), Upstream: incusadapter.Name, Spec: spec, Ready: incus.Ping,
		Register: func(e *echo.Echo) {
			incuscluster.RegisterHandlers(e, incuscluster.NewStrictHandler(h, nil))
		},
	}}, nil
}

func surfaceName(spec *openapi3.T) string {
	name, _ := spec.Extensions["x-surface"].(string)
	return name
}
