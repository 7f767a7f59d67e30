// Package app wires configuration to adapters, handlers and surfaces: the
// only place that knows every upstream.
package app

import (
	"fmt"
	"os"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	incusadapter "github.com/clustergate/clustergate/adapters/incus"
	portworxadapter "github.com/clustergate/clustergate/adapters/portworx"
	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/generated/portworxclusterpair"
	incushandlers "github.com/clustergate/clustergate/handlers/incus"
	portworxhandlers "github.com/clustergate/clustergate/handlers/portworx"
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
	surfaces := []server.Surface{{
		Name: surfaceName(spec), Upstream: incusadapter.Name, Spec: spec, Ready: incus.Ping,
		Configured: func() (bool, string) {
			return cfg.IsSet("incus-url") || cfg.IsSet("incus-socket") || exists(cfg.IncusSocket),
				"set INCUS_SOCKET to a local Incus or LXD socket, or INCUS_URL for a remote server"
		},
		Register: func(e *echo.Echo) {
			incuscluster.RegisterHandlers(e, incuscluster.NewStrictHandler(h, nil))
		},
	}}
	px, err := portworxSurface(cfg)
	if err != nil {
		return nil, err
	}
	capi, err := capiSurface(cfg)
	if err != nil {
		return nil, err
	}
	return append(surfaces, px, capi), nil
}

func portworxSurface(cfg *config.Config) (server.Surface, error) {
	spec, err := portworxclusterpair.GetSwagger()
	if err != nil {
		return server.Surface{}, fmt.Errorf("load portworx facade spec: %w", err)
	}
	px, err := portworxadapter.New(portworxadapter.Config{
		Endpoint: cfg.PortworxEndpoint, Token: cfg.PortworxAPIKey, CAFile: cfg.PortworxCAFile,
		ClientCert: cfg.PortworxClientCert, ClientKey: cfg.PortworxClientKey,
		Timeout: cfg.PortworxTimeout, Retries: cfg.PortworxRetries,
	})
	if err != nil {
		return server.Surface{}, err
	}
	h := portworxhandlers.New(px)
	return server.Surface{
		Name: surfaceName(spec), Upstream: portworxadapter.Name, Spec: spec, Ready: px.Ping,
		Configured: func() (bool, string) {
			return cfg.IsSet("portworx-endpoint"), "set PORTWORX_ENDPOINT to the OpenStorage SDK REST address"
		},
		Register: func(e *echo.Echo) {
			portworxclusterpair.RegisterHandlers(e, portworxclusterpair.NewStrictHandler(h, nil))
		},
	}, nil
}

func surfaceName(spec *openapi3.T) string {
	name, _ := spec.Extensions["x-surface"].(string)
	return name
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
