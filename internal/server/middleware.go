package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/metrics"
)

// Keys of values a request carries in its echo.Context.
const (
	ctxOperation = "clustergate.operation"
	ctxUpstream  = "clustergate.upstream"
	ctxIdentity  = "clustergate.identity"
	ctxSurface   = "clustergate.surface"
)

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}

// isAPI says whether the matched route is a facade route (under /v1).
func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/v1/") }

// deadline bounds every request, upstream calls included.
func deadline(d time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := context.WithTimeout(c.Request().Context(), d)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// requireKey identifies the caller of a /v1 request: with keys or an
// identity provider configured it must present a key or an access token
// (Bearer, any case), else every caller is anonymous. Failed attempts are
// throttled per source address.
func requireKey(authn auth.Authenticator, fails *auth.Throttle) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !isAPI(c) {
				return next(c)
			}
			id := auth.Anonymous()
			if authn.Enabled() {
				var err error
				if id, err = identify(c, authn, fails); err != nil {
					return err
				}
			}
			c.Set(ctxIdentity, id)
			c.SetRequest(c.Request().WithContext(auth.WithIdentity(c.Request().Context(), id)))
			return next(c)
		}
	}
}

func identify(c echo.Context, authn auth.Authenticator, fails *auth.Throttle) (auth.Identity, error) {
	source := c.RealIP()
	if wait := fails.Wait(source); wait > 0 {
		secs := auth.RetryAfter(wait)
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return auth.Identity{}, apierr.New(http.StatusTooManyRequests,
			"too many failed authentications from %s: retry after %ds", source, secs)
	}
	token, ok := auth.BearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
	if !ok { // not a guess: not counted as a failure
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge(c, authn))
		return auth.Identity{}, apierr.New(http.StatusUnauthorized, "%s", authn.Missing())
	}
	id, err := authn.Identify(c.Request().Context(), token)
	switch {
	case errors.Is(err, auth.ErrInvalidCredential):
		fails.Fail(source)
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge(c, authn)+`, error="invalid_token"`)
		return auth.Identity{}, apierr.New(http.StatusUnauthorized, "%s", auth.Refusal(err))
	case err != nil:
		return auth.Identity{}, &apierr.Error{Status: http.StatusServiceUnavailable, Err: err,
			Message: "cannot verify the access token: the identity provider does not answer"}
	}
	return id, nil
}

// challenge is the WWW-Authenticate value of a 401, built only for a 401.
func challenge(c echo.Context, authn auth.Authenticator) string {
	return auth.Challenge(authn, auth.MetadataURL(c.Request(), ""))
}

// accessLog writes one line per request; it never logs headers or bodies,
// which carry keys, tokens and kubeconfigs.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			// room for every attribute below: appending past the first five
			// was an allocation per request (the array stays on the stack)
			attrs := make([]slog.Attr, 0, 10)
			attrs = append(attrs,
				slog.String("request_id", requestID(c)),
				slog.String("method", c.Request().Method),
				slog.String("route", c.Path()),
				slog.Int("status", c.Response().Status),
				// milliseconds as a number: sortable by a machine, readable by a person
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			)
			if tool := catalog.ToolOf(c.Request().Context()); tool != "" {
				attrs = append(attrs, slog.String("tool", tool))
			}
			if op, ok := c.Get(ctxOperation).(string); ok {
				attrs = append(attrs, slog.String("operation", op))
			}
			if up, ok := c.Get(ctxUpstream).(string); ok && up != "" {
				attrs = append(attrs, slog.String("upstream", up))
			}
			if name, ok := c.Get(ctxUpstreamName).(string); ok {
				attrs = append(attrs, slog.String("upstream_name", name))
			}
			if id, ok := c.Get(ctxIdentity).(auth.Identity); ok {
				attrs = append(attrs, slog.String("identity", id.Label()))
			}
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
			return nil
		}
	}
}

func requestIDs() echo.MiddlewareFunc {
	return middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {},
	})
}

// observe records every request's metrics. An operation counts as reaching
// its upstream when it succeeded or when the error came from the upstream
// (refusals by clustergate itself, such as a bad key or body, do not).
func observe(m *metrics.Metrics, upstreams map[string]string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			done := m.Start()
			if err := next(c); err != nil {
				c.Error(err)
			}
			op, _ := c.Get(ctxOperation).(string)
			status := c.Response().Status
			done(op, status, callerLabel(c))
			surface, _ := c.Get(ctxSurface).(string)
			if up := upstreams[surface]; up != "" {
				up = upstreamLabel(c, up)
				switch failed, _ := c.Get(ctxUpstream).(string); {
				case status < 300:
					m.Upstream(up, op, 0)
				case failed != "":
					m.Upstream(up, op, status)
				}
			}
			return nil
		}
	}
}

// callerLabel is the metrics' caller label: the role, never the name (a
// label per token subject would grow without bound).
func callerLabel(c echo.Context) string {
	id, ok := c.Get(ctxIdentity).(auth.Identity)
	switch {
	case !ok || id.Kind == auth.KindAnonymous:
		return string(auth.KindAnonymous)
	case id.Role == "":
		return "none"
	}
	return string(id.Role)
}
