package server

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/breaker"
	"github.com/clustergate/clustergate/internal/metrics"
)

// probe is this upstream's readiness: an open breaker is not ready, with
// its refusal as the reason, whatever a ping would say.
func (n Named) probe() Surface {
	return Surface{Backend: n.Backend, Configured: n.Configured, Ready: func(ctx context.Context) error {
		if refusal := n.Breaker.Refusal(); refusal != nil {
			return refusal
		}
		return n.Ready(ctx)
	}}
}

// guarded is h behind the upstream's breaker: an open breaker answers 503
// with Retry-After at once, and every call's outcome is reported to it.
func guarded(b *breaker.Breaker, h echo.HandlerFunc) echo.HandlerFunc {
	if b == nil {
		return h
	}
	return func(c echo.Context) error {
		done, retry, refusal := b.Allow()
		if refusal != nil {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(retry/time.Second)))
			return refusal
		}
		// A panic (a facade bug, answered 500 by Recover) says nothing
		// about the upstream, but must still free a half-open probe slot.
		reported := false
		defer func() {
			if !reported {
				done(errPanicked)
			}
		}()
		err := h(c)
		reported = true
		done(err)
		return err
	}
}

// errPanicked is the outcome a breaker is told of a call whose handler
// panicked: not an upstream error, so it counts for nothing.
var errPanicked = errors.New("handler panicked")

// breakerGauges exports each breaker's state under the upstream's label
// (incus/west; the flags' default keeps the plain incus).
func breakerGauges(m *metrics.Metrics, s Surface) {
	for _, n := range s.Named {
		if n.Breaker == nil {
			continue
		}
		label := s.Upstream
		if n.Name != "default" {
			label += "/" + n.Name
		}
		m.BreakerOpen(label, n.Breaker.Open)
	}
}
