package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/apierr"
)

func healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// Drain is the instance's readiness switch for a graceful stop: once
// started, /readyz answers 503 at once (no upstream is asked) so that load
// balancers and Kubernetes endpoints stop sending new requests, while the
// listeners keep serving the ones that still arrive. The zero value is
// ready; a nil *Drain never drains.
type Drain struct{ on atomic.Bool }

// Start turns /readyz to 503 for good; it reports whether this call did it.
func (d *Drain) Start() bool { return d.on.CompareAndSwap(false, true) }

// Draining reports whether Start was called.
func (d *Drain) Draining() bool { return d != nil && d.on.Load() }

// upstreamState is one upstream's line in /readyz.
type upstreamState struct {
	Backend    string `json:"backend"` // upstream or sandbox
	Configured bool   `json:"configured"`
	// ConfiguredBy names the setting that took the surface out of the
	// sandbox (or the default location found), as `config check` does.
	ConfiguredBy string `json:"configured_by,omitempty"`
	Ready        bool   `json:"ready"`
	Reason       string `json:"reason,omitempty"`
}

// noSurface is /readyz's reason when nothing could answer a /v1 request.
const noSurface = "no surface can serve: no upstream is configured and the sandbox is off (--sandbox=false)"

// readyz asks every configured upstream at once, each within a short
// deadline, and answers 503 with the reasons when any is not ready. An
// upstream nobody configured is listed with how to configure it, but does
// not hold the instance back: a deployment that uses one upstream must not
// wait for the others. With no upstream configured and no sandbox, nothing
// can serve: that is 503 too.
//
// A draining instance answers 503 without asking anyone: it is leaving.
func readyz(surfaces []Surface, drain *Drain) echo.HandlerFunc {
	return func(c echo.Context) error {
		if drain.Draining() {
			return c.JSON(http.StatusServiceUnavailable, map[string]any{"ready": false, "draining": true,
				"reason": "shutting down: finishing requests in flight, send new ones to another replica"})
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		entries := readyEntries(surfaces)
		states := make(map[string]upstreamState, len(entries))
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, en := range entries {
			wg.Go(func() {
				st := readiness(ctx, en.s)
				mu.Lock()
				states[en.key] = st
				mu.Unlock()
			})
		}
		wg.Wait()
		ready, serving := surfacesReady(entries, states)
		body := map[string]any{"ready": ready && serving, "upstreams": states}
		if !serving {
			body["reason"] = noSurface
		}
		status := http.StatusOK
		if !ready || !serving {
			status = http.StatusServiceUnavailable
		}
		return c.JSON(status, body)
	}
}

// readiness is one surface's line: a sandbox is always ready and says how
// to configure the real upstream; an unconfigured upstream is listed as such.
func readiness(ctx context.Context, s Surface) upstreamState {
	configured, hint := true, ""
	if s.Configured != nil {
		configured, hint = s.Configured()
	}
	switch {
	case s.Backend == BackendSandbox:
		return upstreamState{Backend: BackendSandbox, Ready: true, Reason: "served by the in-memory sandbox (made-up data): " + hint}
	case !configured:
		return upstreamState{Backend: BackendUpstream, Reason: "not configured: " + hint}
	}
	if err := s.Ready(ctx); err != nil {
		return upstreamState{Backend: BackendUpstream, Configured: true, ConfiguredBy: hint, Reason: apierr.From(err).Message}
	}
	return upstreamState{Backend: BackendUpstream, Configured: true, ConfiguredBy: hint, Ready: true}
}

// openapiJSON serves the merged document, encoded on the first request:
// encoding it is a sixth of start-up and its bytes would stay in memory in
// every process, the stdio MCP server's included, that never serves it.
func openapiJSON(spec *openapi3.T) echo.HandlerFunc {
	encode := sync.OnceValues(func() ([]byte, error) { return json.Marshal(spec) })
	return func(c echo.Context) error {
		b, err := encode()
		if err != nil {
			return fmt.Errorf("encode /openapi.json: %w", err)
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
	}
}

// mergeSpecs joins the surfaces' facade specs into the one served document.
// Two surfaces may share a schema, response or parameter name only when they
// are identical (the facade's Error, its shared error responses and its
// upstream parameter are).
func mergeSpecs(surfaces []Surface) (*openapi3.T, error) {
	out := &openapi3.T{
		OpenAPI: "3.0.3",
		Info:    &openapi3.Info{Title: "clustergate", Version: "1", Description: "Every clustergate surface in one document."},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{Schemas: openapi3.Schemas{},
			Responses: openapi3.ResponseBodies{}, Parameters: openapi3.ParametersMap{}, SecuritySchemes: openapi3.SecuritySchemes{}},
	}
	for _, s := range surfaces {
		for path, item := range s.Spec.Paths.Map() {
			if out.Paths.Value(path) != nil {
				return nil, fmt.Errorf("path %s is served by two surfaces", path)
			}
			out.Paths.Set(path, item)
		}
		for name, schema := range s.Spec.Components.Schemas {
			if prev, ok := out.Components.Schemas[name]; ok && !sameJSON(prev, schema) {
				return nil, fmt.Errorf("schema %s differs between surfaces; rename it in specgen", name)
			}
			out.Components.Schemas[name] = schema
		}
		for name, resp := range s.Spec.Components.Responses {
			if prev, ok := out.Components.Responses[name]; ok && !sameJSON(prev, resp) {
				return nil, fmt.Errorf("response %s differs between surfaces; rename it in specgen", name)
			}
			out.Components.Responses[name] = resp
		}
		for name, p := range s.Spec.Components.Parameters {
			if prev, ok := out.Components.Parameters[name]; ok && !sameJSON(prev, p) {
				return nil, fmt.Errorf("parameter %s differs between surfaces; rename it in specgen", name)
			}
			out.Components.Parameters[name] = p
		}
		for name, sec := range s.Spec.Components.SecuritySchemes {
			out.Components.SecuritySchemes[name] = sec
		}
		out.Security = s.Spec.Security
		out.Tags = append(out.Tags, s.Spec.Tags...)
		// Every facade carries the same contact, licence and relative
		// server (specgen writes them from openapi/pins.yaml).
		out.Info.Contact, out.Info.License, out.Servers = s.Spec.Info.Contact, s.Spec.Info.License, s.Spec.Servers
	}
	return out, nil
}

func sameJSON(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(x) == string(y)
}
