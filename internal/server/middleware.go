package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/metrics"
)

// Keys of values a request carries in its echo.Context.
const (
	ctxOperation = "clustergate.operation"
	ctxUpstream  = "clustergate.upstream"
	ctxKey       = "clustergate.key"
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

// requireKey admits a /v1 request only with a configured API key. With no
// keys configured, auth is off.
func requireKey(keys auth.Keys) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if len(keys) == 0 || !isAPI(c) {
				return next(c)
			}
			token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
			if !ok {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="clustergate"`)
				return apierr.New(http.StatusUnauthorized, "missing API key: send Authorization: Bearer <key>")
			}
			key, ok := keys.Match(strings.TrimSpace(token))
			if !ok {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="clustergate", error="invalid_token"`)
				return apierr.New(http.StatusUnauthorized, "unknown API key")
			}
			c.Set(ctxKey, key)
			ctx := auth.WithIdentity(auth.WithKey(c.Request().Context(), key), auth.Identity{Name: key.Name, Kind: "key", Role: key.Role})
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
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
			attrs := []slog.Attr{
				slog.String("request_id", requestID(c)),
				slog.String("method", c.Request().Method),
				slog.String("route", c.Path()),
				slog.Int("status", c.Response().Status),
				slog.Duration("latency", time.Since(start)),
			}
			if op, ok := c.Get(ctxOperation).(string); ok {
				attrs = append(attrs, slog.String("operation", op))
			}
			if up, ok := c.Get(ctxUpstream).(string); ok && up != "" {
				attrs = append(attrs, slog.String("upstream", up))
			}
			if k, ok := c.Get(ctxKey).(auth.Key); ok {
				attrs = append(attrs, slog.String("key", k.Name))
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
			done(op, status)
			surface, _ := c.Get(ctxSurface).(string)
			if up := upstreams[surface]; up != "" {
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
