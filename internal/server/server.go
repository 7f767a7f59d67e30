// Package server assembles clustergate's HTTP front: one Echo instance with
// the middleware chain (request id, access log, recovery, deadline, API key,
// request validation), the facade routes of every surface, and the
// operational endpoints /healthz, /readyz, /openapi.json, /docs (the spec
// rendered by an embedded viewer) and /metrics.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/audit"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/docs"
	"github.com/clustergate/clustergate/internal/metrics"
	"github.com/clustergate/clustergate/internal/vocab"
)

// Backends a surface is served from, as the X-Clustergate-Backend header
// and /readyz say.
const (
	BackendUpstream = "upstream"
	BackendSandbox  = "sandbox"
)

// Surface is one facade (a generated server over one upstream).
type Surface struct {
	Backend  string                          // BackendUpstream or BackendSandbox
	Name     string                          // the spec's x-surface, e.g. incus-cluster
	Upstream string                          // the upstream's name in errors and /readyz
	Spec     *openapi3.T                     // the embedded facade spec
	Ops      []catalog.Op                    // Spec's operations (catalog.FromSpec, read once by the caller)
	Register func(e *echo.Echo)              // registers the generated routes
	Ready    func(ctx context.Context) error // nil when the upstream answers
	// Configured says whether an upstream location was given or found; when
	// it was not, hint says how to give one. An unconfigured upstream is
	// reported by /readyz but does not make the instance unready.
	Configured func() (ok bool, hint string)
	// Named are the surface's named upstreams, the default first; when set
	// they replace Register, Ready, Backend and Configured (see Named).
	Named []Named
}

// Options are the server settings that do not belong to a surface.
type Options struct {
	Metrics        *metrics.Metrics
	Mode           catalog.Mode
	Keys           auth.Keys
	Tokens         auth.TokenVerifier // access tokens of the identity provider; nil without one
	RequestTimeout time.Duration
	MaxBodyBytes   int
	RateLimit      float64 // requests per second per caller; 0 disables
	RateBurst      int
	Log            *slog.Logger
	Audit          *audit.Log   // nil: no audit log
	Proxies        auth.Proxies // whose X-Forwarded-For is believed
	Drain          *Drain       // turns /readyz to 503 on shutdown; nil: never
}

// New builds the Echo instance serving every surface.
func New(opts Options, surfaces []Surface) (*echo.Echo, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(opts.Log)
	e.IPExtractor = opts.Proxies.ClientIP
	routes, tags := map[string]catalog.Op{}, map[string]routeTag{}
	upstreams, backends := map[string]string{}, map[string]string{}
	ch := newChain(requestIDs(), accessLog(opts.Log), observe(opts.Metrics, upstreams), auditCalls(opts.Audit, routes, upstreams),
		middleware.Recover(), bodyLimit(int64(orDefault(opts.MaxBodyBytes, 1<<20))),
		deadline(opts.RequestTimeout), requireKey(auth.Authenticator{Keys: opts.Keys, Tokens: opts.Tokens}, auth.NewThrottle()),
		rateLimit(opts.RateLimit, orDefault(opts.RateBurst, 1)), tagRoute(tags, backends, opts.Mode))
	e.Use(ch.middleware(e))
	for _, s := range surfaces {
		upstreams[s.Name], backends[s.Name] = s.Upstream, s.Backend
		for _, op := range s.Ops {
			routes[op.Key()], tags[op.Key()] = op, routeTag{op: op, id: op.OperationID, surface: op.Surface}
		}
		valid, err := newValidators(s.Spec, s.Ops)
		if err != nil {
			return nil, fmt.Errorf("surface %s: %w", s.Name, err)
		}
		strict, follow := strictInput(s.Ops), locate(s.Ops)
		for _, op := range s.Ops {
			ch.route(op.Method, op.EchoPath, strict, follow, valid.middleware(op))
		}
		if len(s.Named) > 0 {
			registerNamed(e, s)
			breakerGauges(opts.Metrics, s)
		} else {
			s.Register(e)
		}
	}
	spec, err := mergeSpecs(surfaces)
	if err != nil { // the checks run now; the document is encoded on its first request
		return nil, err
	}
	if opts.Tokens != nil {
		e.GET(auth.MetadataPath, echo.WrapHandler(auth.MetadataHandler(opts.Tokens, "", "clustergate REST API")))
	}
	e.GET(upstreamsPath, listUpstreams(surfaces))
	e.GET("/healthz", healthz)
	e.GET("/readyz", readyz(surfaces, opts.Drain))
	e.GET("/openapi.json", openapiJSON(spec))
	e.GET(docs.Path, echo.WrapHandler(docs.Handler()))
	e.GET(docs.Path+"/*", echo.WrapHandler(docs.Handler()))
	e.GET("/metrics", echo.WrapHandler(opts.Metrics.Handler()))
	return e, nil
}

// tagRoute records the matched operation for logs, and refuses it when the
// mode (read-only, destructive disabled) or the caller's role does not allow
// it. It runs after requireKey and before validation, so a caller learns
// nothing about a route it may not use.
func tagRoute(tags map[string]routeTag, backends map[string]string, mode catalog.Mode) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			tag, ok := byRoute(tags, c)
			if !ok {
				return next(c)
			}
			op := tag.op
			if b := backends[op.Surface]; b != "" {
				c.Response().Header().Set("X-Clustergate-Backend", b)
			}
			c.Set(ctxOperation, tag.id)
			c.Set(ctxSurface, tag.surface)
			if why := mode.Refusal(op); why != "" {
				return apierr.New(http.StatusForbidden, "%s", why)
			}
			if id, ok := c.Get(ctxIdentity).(auth.Identity); ok && id.Kind != auth.KindAnonymous && !id.Role.Allows(op.RequiredRole()) {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, auth.InsufficientScope(op.RequiredRole()))
				return apierr.New(http.StatusForbidden, "%s needs the %s role (scope %s); %s has %s",
					op.OperationID, op.RequiredRole(), auth.ScopeFor(op.RequiredRole()), id.Label(), roleName(id.Role))
			}
			return next(c)
		}
	}
}

// routeTag is a route's operation with the values tagRoute puts in the
// request's context, boxed once: a string put in an interface is an
// allocation per request.
type routeTag struct {
	op          catalog.Op
	id, surface any // op.OperationID and op.Surface
}

// orDefault is v, or def when v is not set (zero or less).
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// roleName is a role as a refusal names it.
func roleName(r vocab.Role) string {
	if r == "" {
		return "no role"
	}
	return string(r)
}
