package server

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/breaker"
)

// UpstreamParam is the query parameter that chooses a named upstream (specgen
// adds it to every facade operation).
const UpstreamParam = "upstream"

// ctxUpstreamName holds the name of the upstream a request was sent to, for
// the access log, metrics and the audit log.
const ctxUpstreamName = "clustergate.upstream_name"

// Named is one named upstream of a surface: its own adapter and handlers,
// built by internal/app, so that upstreams share nothing (connections,
// deadlines, breakers).
type Named struct {
	Name       string
	Backend    string // BackendUpstream or BackendSandbox
	Ready      func(ctx context.Context) error
	Configured func() (ok bool, hint string)
	// Required holds /readyz back while this upstream is not ready.
	Required bool
	// Register registers this upstream's generated routes on r (the
	// generated RegisterHandlers, with r as its EchoRouter).
	Register func(r *Router)
	// Breaker refuses calls at once while this upstream keeps failing; nil
	// lets every call through. REST and MCP share it (MCP tools call the
	// same routes in process).
	Breaker *breaker.Breaker
}

// Router records the handlers a generated RegisterHandlers registers, so
// that one route can dispatch to the handler of the chosen upstream. It
// satisfies every generated package's EchoRouter.
type Router struct{ routes map[string]echo.HandlerFunc }

func (r *Router) add(method, path string, h echo.HandlerFunc) *echo.Route {
	if r.routes == nil {
		r.routes = map[string]echo.HandlerFunc{}
	}
	r.routes[method+" "+path] = h
	return &echo.Route{Method: method, Path: path}
}

// CONNECT records a route.
func (r *Router) CONNECT(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodConnect, p, h)
}

// DELETE records a route.
func (r *Router) DELETE(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodDelete, p, h)
}

// GET records a route.
func (r *Router) GET(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodGet, p, h)
}

// HEAD records a route.
func (r *Router) HEAD(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodHead, p, h)
}

// OPTIONS records a route.
func (r *Router) OPTIONS(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodOptions, p, h)
}

// PATCH records a route.
func (r *Router) PATCH(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPatch, p, h)
}

// POST records a route.
func (r *Router) POST(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPost, p, h)
}

// PUT records a route.
func (r *Router) PUT(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPut, p, h)
}

// TRACE records a route.
func (r *Router) TRACE(p string, h echo.HandlerFunc, _ ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodTrace, p, h)
}

// registerNamed registers every route of a surface once, each dispatching
// to the handler of the upstream the `upstream` query parameter names (the
// first, the default, when omitted). An unknown name is 404 naming the known
// ones; a name outside the caller's scope is 403 naming it.
func registerNamed(e *echo.Echo, s Surface) {
	handlers := make(map[string]*Router, len(s.Named))
	names := make(map[string]any, len(s.Named)) // boxed once for c.Set
	var known []string
	for _, n := range s.Named {
		r := &Router{}
		n.Register(r)
		for key, h := range r.routes {
			r.routes[key] = guarded(n.Breaker, h)
		}
		handlers[n.Name], names[n.Name], known = r, n.Name, append(known, n.Name)
	}
	def := s.Named[0].Name
	sort.Strings(known)
	for key := range handlers[def].routes {
		method, path, _ := strings.Cut(key, " ")
		e.Add(method, path, func(c echo.Context) error {
			name := c.QueryParam(UpstreamParam)
			if name == "" {
				name = def
			}
			r, ok := handlers[name]
			if !ok {
				return apierr.New(http.StatusNotFound, "upstream %q is not one of %s's upstreams: %s",
					name, s.Upstream, strings.Join(known, ", "))
			}
			if id, ok := c.Get(ctxIdentity).(auth.Identity); ok && !id.Reaches(name) {
				return apierr.New(http.StatusForbidden, "%s may not reach upstream %q (its scope: %s)",
					id.Label(), name, strings.Join(id.Upstreams, ", "))
			}
			c.Set(ctxUpstreamName, names[name])
			return r.routes[key](c)
		})
	}
}

// upstreamLabel is the upstream a request went to, as metrics and the audit
// log name it: the surface's upstream ("incus"), followed by "/<name>" when
// the surface has named upstreams beyond the flags' default.
func upstreamLabel(c echo.Context, surfaceUpstream string) string {
	if name, _ := c.Get(ctxUpstreamName).(string); name != "" && name != "default" {
		return surfaceUpstream + "/" + name
	}
	return surfaceUpstream
}

// readyEntry is one upstream's line in /readyz.
type readyEntry struct {
	key, surface string
	s            Surface // Backend, Ready and Configured of this upstream
	required     bool
}

// readyEntries lists every upstream of every surface: the upstream named
// "default" (the flags') keeps its plain key ("incus"), other named
// upstreams are "incus/east".
func readyEntries(surfaces []Surface) []readyEntry {
	var out []readyEntry
	for _, s := range surfaces {
		if len(s.Named) == 0 {
			out = append(out, readyEntry{key: s.Upstream, surface: s.Name, s: s})
			continue
		}
		for _, n := range s.Named {
			key := s.Upstream + "/" + n.Name
			if n.Name == "default" { // the flags' upstream keeps its plain key
				key = s.Upstream
			}
			out = append(out, readyEntry{key: key, surface: s.Name, required: n.Required, s: n.probe()})
		}
	}
	return out
}

// surfacesReady applies the readiness rule per surface: every upstream
// marked required must be ready; with none marked, at least one configured
// upstream must be (a surface with nothing configured holds nothing back).
// serving says whether anything at all can answer.
func surfacesReady(entries []readyEntry, states map[string]upstreamState) (ready, serving bool) {
	type tally struct{ required, requiredReady, configured, configuredReady int }
	per := map[string]*tally{}
	for _, en := range entries {
		t := per[en.surface]
		if t == nil {
			t = &tally{}
			per[en.surface] = t
		}
		st := states[en.key]
		serving = serving || st.Configured || st.Backend == BackendSandbox
		if en.required {
			t.required++
			if st.Ready || !st.Configured {
				t.requiredReady++
			}
		}
		if st.Configured {
			t.configured++
			if st.Ready {
				t.configuredReady++
			}
		}
	}
	ready = true
	for _, t := range per {
		switch {
		case t.required > 0:
			ready = ready && t.requiredReady == t.required
		case t.configured > 0:
			ready = ready && t.configuredReady > 0
		}
	}
	return ready, serving
}

// upstreamsPath lists every named upstream; it is not a facade operation
// (no upstream answers it), so it is registered here.
const upstreamsPath = "/v1/upstreams"

// upstreamLine is one upstream in GET /v1/upstreams.
type upstreamLine struct {
	Surface  string `json:"surface"`
	Upstream string `json:"upstream"` // incus, portworx, capi
	Name     string `json:"name"`
	Default  bool   `json:"default"`
	Backend  string `json:"backend"`
	Ready    bool   `json:"ready"`
	Reason   string `json:"reason,omitempty"`
}

// listUpstreams answers every upstream the caller may reach, asked at once
// within a short deadline, as /readyz does.
func listUpstreams(surfaces []Surface) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, _ := c.Get(ctxIdentity).(auth.Identity)
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		var lines []upstreamLine
		var probes []Surface
		for _, s := range surfaces {
			for i, n := range s.Named {
				if !id.Reaches(n.Name) {
					continue
				}
				lines = append(lines, upstreamLine{Surface: s.Name, Upstream: s.Upstream, Name: n.Name, Default: i == 0, Backend: n.Backend})
				probes = append(probes, n.probe())
			}
		}
		var wg sync.WaitGroup
		for i := range lines {
			wg.Go(func() {
				st := readiness(ctx, probes[i])
				lines[i].Ready, lines[i].Reason = st.Ready, st.Reason
			})
		}
		wg.Wait()
		return c.JSON(http.StatusOK, map[string]any{"upstreams": lines})
	}
}
