package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/breaker"
)

// TestGuardedRefusesAndFreesTheProbeOnPanic: an open breaker's refusal
// carries Retry-After; a probe whose handler panics does not leave the
// breaker half-open for ever (the next call is let through).
func TestGuardedRefusesAndFreesTheProbeOnPanic(t *testing.T) {
	b := breaker.New(breaker.Settings{Surface: "incus", Name: "west", Failures: 1, Cooldown: 50 * time.Millisecond})
	var next func() error
	h := guarded(b, func(echo.Context) error { return next() })
	serve := func() (*httptest.ResponseRecorder, error) {
		rec := httptest.NewRecorder()
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
		return rec, h(c)
	}
	next = func() error { return apierr.Upstream("incus", http.StatusBadGateway, nil, "incus: database is locked") }
	_, err := serve()
	require.Error(t, err)
	rec, err := serve()
	require.Equal(t, http.StatusServiceUnavailable, apierr.From(err).Status)
	assert.Contains(t, apierr.From(err).Message, "database is locked")
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))

	time.Sleep(60 * time.Millisecond)
	next = func() error { panic("facade bug") }
	assert.Panics(t, func() { _, _ = serve() })
	next = func() error { return nil }
	_, err = serve()
	assert.NoError(t, err, "the panicked probe freed its slot")
}
