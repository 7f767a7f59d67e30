// Package app wires configuration to adapters, handlers and surfaces: the
// only place that knows every upstream. A surface whose upstream nobody
// configured is served from its in-memory sandbox (unless --sandbox=false),
// and says so: in the start-up log, in /readyz and in every answer's
// X-Clustergate-Backend header.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	incusadapter "github.com/clustergate/clustergate/adapters/incus"
	portworxadapter "github.com/clustergate/clustergate/adapters/portworx"
	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/generated/portworxclusterpair"
	incushandlers "github.com/clustergate/clustergate/handlers/incus"
	portworxhandlers "github.com/clustergate/clustergate/handlers/portworx"
	"github.com/clustergate/clustergate/internal/breaker"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/server"
	"github.com/clustergate/clustergate/internal/vocab"
	incussandbox "github.com/clustergate/clustergate/sandbox/incus"
	portworxsandbox "github.com/clustergate/clustergate/sandbox/portworx"
)

// Surfaces builds every surface from the configuration. No upstream is
// contacted here: clustergate starts without its upstreams.
//
// The surfaces are built at once: each parses its facade spec, most of
// start-up's CPU, and the three share nothing.
func Surfaces(cfg *config.Config) ([]server.Surface, error) { return buildSurfaces(cfg, true) }

// buildSurfaces builds the surfaces at once when parallel is set, else one after
// the other (leaving the other CPUs to whatever runs meanwhile).
func buildSurfaces(cfg *config.Config, parallel bool) ([]server.Surface, error) {
	builds := []func(*config.Config) (server.Surface, error){incusSurface, portworxSurface, capiSurface}
	out := make([]server.Surface, len(builds))
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, build := range builds {
		if !parallel {
			wg.Wait()
		}
		wg.Go(func() {
			s, err := build(cfg)
			if err == nil {
				// The one place the catalog is read from a spec: the server,
				// the MCP tools and the tables all take these operations.
				if s.Ops, err = catalog.FromSpec(s.Name, s.Spec); err != nil {
					err = fmt.Errorf("surface %s: %w", s.Name, err)
				}
			}
			out[i], errs[i] = s, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// useSandbox says whether a surface is served from its sandbox: its upstream
// is not configured and the sandbox is allowed.
func useSandbox(cfg *config.Config, configured bool) bool { return !configured && cfg.Sandbox }

// sandboxReady is the readiness of a sandbox: always.
func sandboxReady(context.Context) error { return nil }

func incusSurface(cfg *config.Config) (server.Surface, error) {
	spec, err := incuscluster.GetSwagger()
	if err != nil {
		return server.Surface{}, fmt.Errorf("load incus facade spec: %w", err)
	}
	s := server.Surface{Name: surfaceName(spec), Upstream: incusadapter.Name, Spec: spec}
	for _, u := range cfg.IncusUpstreams() {
		by := "upstreams.incus " + u.Name + " (" + cfg.Source(config.UpstreamsKey) + ")"
		if u.Flags {
			by = configuredBy(cfg, "incus-url", "incus-socket")
			if by == "" && exists(u.Socket) {
				by = "a socket exists at the default incus-socket " + u.Socket
			}
		}
		n := named(u.Common, by, incusadapter.Configure)
		var up incushandlers.Upstream
		if useSandbox(cfg, by != "") {
			up, n.Ready, n.Backend = incussandbox.New(), sandboxReady, server.BackendSandbox
		} else {
			a := incusadapter.New(incusadapter.Config{
				Socket: u.Socket, URL: u.URL, APIKey: u.APIKey, Wait: u.Wait,
				ClientCert: u.ClientCert, ClientKey: u.ClientKey, ServerCert: u.ServerCert,
			})
			up, n.Ready, n.Breaker = a, a.Ping, upstreamBreaker(cfg, incusadapter.Name, u.Common)
		}
		s.Named = append(s.Named, incusNamed(n, up))
	}
	if sandboxOnly(s.Named) { // a first run shows many clusters behind one gate
		n := named(config.Common{Name: secondSandbox}, "", incusadapter.Configure)
		n.Ready, n.Backend = sandboxReady, server.BackendSandbox
		s.Named = append(s.Named, incusNamed(n, incussandbox.New()))
	}
	return withDefault(s), nil
}

func portworxSurface(cfg *config.Config) (server.Surface, error) {
	spec, err := portworxclusterpair.GetSwagger()
	if err != nil {
		return server.Surface{}, fmt.Errorf("load portworx facade spec: %w", err)
	}
	s := server.Surface{Name: surfaceName(spec), Upstream: portworxadapter.Name, Spec: spec}
	for _, u := range cfg.PortworxUpstreams() {
		by := "upstreams.portworx " + u.Name + " (" + cfg.Source(config.UpstreamsKey) + ")"
		if u.Flags {
			by = configuredBy(cfg, "portworx-endpoint")
		}
		n := named(u.Common, by, portworxadapter.Configure)
		var up portworxhandlers.Upstream
		if useSandbox(cfg, by != "") {
			sb := portworxsandbox.New()
			up, n.Ready, n.Backend = sb, sandboxReady, server.BackendSandbox
			n.Configured = configuredFunc("", portworxadapter.Configure+"; "+sb.PairingHint())
		} else {
			a, err := portworxadapter.New(portworxadapter.Config{
				Endpoint: u.Endpoint, Token: u.APIKey, CAFile: u.CAFile,
				ClientCert: u.ClientCert, ClientKey: u.ClientKey,
				Timeout: u.Timeout, Retries: *u.Retries,
			})
			if err != nil {
				return server.Surface{}, fmt.Errorf("portworx upstream %s: %w", u.Name, err)
			}
			up, n.Ready, n.Breaker = a, a.Ping, upstreamBreaker(cfg, portworxadapter.Name, u.Common)
		}
		s.Named = append(s.Named, portworxNamed(n, up))
	}
	if sandboxOnly(s.Named) {
		n := named(config.Common{Name: secondSandbox}, "", portworxadapter.Configure)
		n.Ready, n.Backend = sandboxReady, server.BackendSandbox
		s.Named = append(s.Named, portworxNamed(n, portworxsandbox.New()))
	}
	return withDefault(s), nil
}

// secondSandbox names the second sandbox cluster of the Incus and Portworx
// surfaces when nothing is configured (?upstream=sandbox-2).
const secondSandbox = "sandbox-2"

// sandboxOnly says whether a surface's only upstream is its sandbox.
func sandboxOnly(ns []server.Named) bool {
	return len(ns) == 1 && ns[0].Backend == server.BackendSandbox
}

func incusNamed(n server.Named, up incushandlers.Upstream) server.Named {
	h := incushandlers.New(up)
	n.Register = func(r *server.Router) { incuscluster.RegisterHandlers(r, incuscluster.NewStrictHandler(h, nil)) }
	return n
}

func portworxNamed(n server.Named, up portworxhandlers.Upstream) server.Named {
	h := portworxhandlers.New(up)
	n.Register = func(r *server.Router) {
		portworxclusterpair.RegisterHandlers(r, portworxclusterpair.NewStrictHandler(h, nil))
	}
	return n
}

// named starts the Named upstream of an entry: configured by `by`, or how
// to configure it.
func named(c config.Common, by, hint string) server.Named {
	return server.Named{Name: c.Name, Backend: server.BackendUpstream, Configured: configuredFunc(by, hint),
		Required: c.Required != nil && *c.Required}
}

// upstreamBreaker is the circuit breaker of one configured upstream (nil
// when breakers are off for it); a sandbox needs none.
func upstreamBreaker(cfg *config.Config, surface string, c config.Common) *breaker.Breaker {
	failures, cooldown := cfg.Breaker(c)
	return breaker.New(breaker.Settings{Surface: surface, Name: c.Name, Failures: failures, Cooldown: cooldown})
}

// withDefault fills the surface's single-upstream fields from its default
// (first) named upstream: start-up logs and `config check` show it.
func withDefault(s server.Surface) server.Surface {
	d := s.Named[0]
	s.Backend, s.Ready, s.Configured = d.Backend, d.Ready, d.Configured
	return s
}

// configuredBy names the first of the settings that was given, and where:
// that is what takes a surface out of the sandbox. "" when none was.
func configuredBy(cfg *config.Config, flags ...string) string {
	for _, f := range flags {
		if cfg.IsSet(f) {
			return f + " is set (" + cfg.Source(f) + ")"
		}
	}
	return ""
}

// configuredFunc is a Surface's Configured: why it is configured, or how to
// configure it.
func configuredFunc(by, hint string) func() (bool, string) {
	return func() (bool, string) {
		if by != "" {
			return true, by
		}
		return false, hint
	}
}

func surfaceName(spec *openapi3.T) string {
	name, _ := spec.Extensions[vocab.ExtSurface].(string)
	return name
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
