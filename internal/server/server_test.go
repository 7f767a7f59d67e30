package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/incuscluster"
	incushandlers "github.com/clustergate/clustergate/handlers/incus"
	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/metrics"
	"github.com/clustergate/clustergate/internal/server"
)

// failingUpstream answers GetCluster with a chosen failure; the real LXD
// cannot be made to produce these on demand. Other methods are never called.
type failingUpstream struct {
	incushandlers.Upstream
	getCluster func(ctx context.Context) error
}

func (f failingUpstream) GetCluster(ctx context.Context) (*api.Cluster, string, error) {
	return nil, "", f.getCluster(ctx)
}

func newServer(t *testing.T, keys string, up incushandlers.Upstream, timeout time.Duration) (*httptest.Server, *strings.Builder) {
	t.Helper()
	spec, err := incuscluster.GetSwagger()
	require.NoError(t, err)
	ops, err := catalog.FromSpec("incus-cluster", spec)
	require.NoError(t, err)
	ks, err := auth.ParseKeys(keys)
	require.NoError(t, err)
	logs := &strings.Builder{}
	h := incushandlers.New(up)
	e, err := server.New(server.Options{Keys: ks, RequestTimeout: timeout, Log: slog.New(slog.NewJSONHandler(logs, nil)),
		Metrics: metrics.New("test")},
		[]server.Surface{{Name: "incus-cluster", Upstream: "incus", Spec: spec, Ops: ops,
			Ready:    func(context.Context) error { return nil },
			Register: func(e *echo.Echo) { incuscluster.RegisterHandlers(e, incuscluster.NewStrictHandler(h, nil)) }}})
	require.NoError(t, err)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv, logs
}

type errBody struct {
	Status    int    `json:"status"`
	Message   string `json:"message"`
	Upstream  string `json:"upstream"`
	RequestID string `json:"request_id"`
}

func do(t *testing.T, srv *httptest.Server, method, path, body string, hdr map[string]string) (*http.Response, errBody) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var eb errBody
	_ = json.Unmarshal(raw, &eb)
	return resp, eb
}

func TestUpstreamFailuresMapToGatewayStatuses(t *testing.T) {
	cases := []struct {
		name   string
		err    func(ctx context.Context) error
		status int
		msg    string
	}{
		{"upstream 5xx", func(context.Context) error {
			return apierr.Upstream("incus", http.StatusBadGateway, nil, "incus: database is locked")
		}, 502, "incus: database is locked"},
		{"upstream hangs past the deadline", func(ctx context.Context) error {
			<-ctx.Done()
			return apierr.Upstream("incus", http.StatusGatewayTimeout, ctx.Err(), "incus did not answer get cluster within the request deadline")
		}, 504, "incus did not answer get cluster within the request deadline"},
		{"unclassified error hides its cause", func(context.Context) error {
			return errors.New("secret-bearing detail")
		}, 500, "internal error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := newServer(t, "", failingUpstream{getCluster: c.err}, 200*time.Millisecond)
			resp, body := do(t, srv, "GET", "/v1/1-0/cluster", "", nil)
			assert.Equal(t, c.status, resp.StatusCode)
			assert.Equal(t, c.status, body.Status)
			assert.Equal(t, c.msg, body.Message)
		})
	}
}

func TestAPIKeysGuardV1RoutesOnly(t *testing.T) {
	up := failingUpstream{getCluster: func(context.Context) error { return apierr.New(404, "nope") }}
	srv, logs := newServer(t, "admin=s3cret", up, time.Second)
	resp, body := do(t, srv, "GET", "/v1/1-0/cluster", "", nil)
	assert.Equal(t, 401, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer")
	assert.Equal(t, "missing API key: send Authorization: Bearer <key>", body.Message)
	resp, _ = do(t, srv, "GET", "/v1/1-0/cluster", "", map[string]string{"Authorization": "Bearer wrong"})
	assert.Equal(t, 401, resp.StatusCode)
	resp, _ = do(t, srv, "GET", "/v1/1-0/cluster", "", map[string]string{"Authorization": "Bearer s3cret"})
	assert.Equal(t, 404, resp.StatusCode, "a good key reaches the handler")
	resp, _ = do(t, srv, "GET", "/healthz", "", nil)
	assert.Equal(t, 200, resp.StatusCode, "health needs no key")
	assert.NotContains(t, logs.String(), "s3cret")
	assert.Contains(t, logs.String(), `"identity":"key:admin-1"`)
	for _, scheme := range []string{"bearer", "BEARER", "BeArEr"} {
		resp, _ = do(t, srv, "GET", "/v1/1-0/cluster", "", map[string]string{"Authorization": scheme + " s3cret"})
		assert.Equal(t, 404, resp.StatusCode, "the scheme %q is case-insensitive (RFC 9110)", scheme)
	}
	resp, _ = do(t, srv, "GET", "/v1/1-0/cluster", "", map[string]string{"Authorization": "Basic s3cret"})
	assert.Equal(t, 401, resp.StatusCode, "another scheme is not a bearer key")
}

func TestValidationNamesTheFieldBeforeAnyUpstreamCall(t *testing.T) {
	srv, _ := newServer(t, "", failingUpstream{}, time.Second)
	cases := []struct{ method, path, body, want string }{
		{"POST", "/v1/1-0/cluster/members", `{}`, `property "server_name" is missing`},
		{"POST", "/v1/1-0/cluster/members/m1/state", `{"action":"explode"}`, `Error at "/action"`},
		{"PUT", "/v1/1-0/cluster/members/m1", `{"config":{"k":1}}`, `Error at "/config/k"`},
		{"POST", "/v1/1-0/cluster/groups", `not json`, "request body has an error"},
	}
	for _, c := range cases {
		resp, body := do(t, srv, c.method, c.path, c.body, nil)
		assert.Equal(t, 400, resp.StatusCode, c.path)
		assert.Contains(t, body.Message, c.want, c.path)
	}
}

func TestRequestIDIsEchoedAndInErrors(t *testing.T) {
	srv, logs := newServer(t, "", failingUpstream{getCluster: func(context.Context) error { return apierr.New(404, "gone") }}, time.Second)
	resp, body := do(t, srv, "GET", "/v1/1-0/cluster", "", map[string]string{"X-Request-Id": "req-42"})
	assert.Equal(t, "req-42", resp.Header.Get("X-Request-Id"))
	assert.Equal(t, "req-42", body.RequestID)
	assert.Contains(t, logs.String(), `"request_id":"req-42"`)
	assert.Contains(t, logs.String(), `"operation":"clusterget"`)
	resp, body = do(t, srv, "GET", "/v1/no/such/route", "", nil)
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "no such route", body.Message)
}
