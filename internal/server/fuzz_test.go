package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/lxc/incus/v6/shared/api"

	"github.com/clustergate/clustergate/generated/incuscluster"
	incushandlers "github.com/clustergate/clustergate/handlers/incus"
	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/metrics"
	"github.com/clustergate/clustergate/internal/server"
)

// FuzzRequest sends arbitrary requests through the whole handler chain and
// checks what a client may rely on whatever it sends:
//   - nothing panics (Recover would turn a panic into a 500, so a 500 fails);
//   - a 5xx is 501, or 502/503/504 blaming a named upstream: a client's
//     mistake is never the server's fault;
//   - every 4xx/5xx answer is the one error shape, its status matching
//     (a 3xx is a redirect with a Location);
//   - an answer comes within a bound, the request deadline included.
//
// Each request runs against two chains: the app.Build stack with all three
// surfaces and every upstream unreachable (the real wiring, answers 503
// without leaving the process), and the Incus surface over a fake upstream
// that always succeeds, so the handlers' code after the upstream call (PATCH
// merge, reshaping, ETags) sees fuzzed input too; there any 5xx but 501 fails.
func FuzzRequest(f *testing.F) {
	stack, stackTarget := fuzzStackTarget(f)
	targets := []*fuzzTarget{stackTarget, fuzzFakeIncusTarget(f)}
	for _, s := range routeSeeds(stack) {
		f.Add(s.method, false, s.path, "", s.body, "application/json", "Bearer "+fuzzAdminKey, "", "")
	}
	f.Fuzz(func(t *testing.T, method uint8, raw bool, path, query string, body []byte, ctype, authz, ifMatch, reqID string) {
		in := fuzzInput{method: fuzzMethods[int(method)%len(fuzzMethods)], raw: raw, path: path, query: query,
			body: body, ctype: ctype, authz: authz, ifMatch: ifMatch, reqID: reqID}
		for _, tg := range targets {
			req, ok := in.request()
			if !ok {
				t.Skip("net/http refuses this request before any handler runs")
			}
			tg.check(t, req)
		}
	})
}

// fuzzMethods are the methods tried: the facade's, plus two it never routes.
var fuzzMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions, "BREW"}

const (
	fuzzAdminKey  = "fuzz-admin-key"
	fuzzViewerKey = "fuzz-viewer-key"
	fuzzBodyLimit = 4096 // small, so fuzzed bodies can reach the 413 path
	fuzzDeadline  = 3 * time.Second
	fuzzBound     = fuzzDeadline + 7*time.Second // generous: fuzz workers share 2 cores
)

type fuzzInput struct {
	method, path, query, ctype, authz, ifMatch, reqID string
	raw                                               bool // path is the whole request target, not a suffix of /v1/
	body                                              []byte
}

// request parses the input the way net/http's server does (request line and
// headers from the wire), so only requests a real listener would hand to
// Echo are tried; ok is false for those net/http answers 400 itself.
func (in fuzzInput) request() (*http.Request, bool) {
	target := "/v1/" + in.path
	if in.raw {
		target = in.path
	}
	if in.query != "" {
		target += "?" + in.query
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: clustergate.test\r\n", in.method, target)
	for _, h := range [][2]string{{"Content-Type", in.ctype}, {"Authorization", in.authz},
		{"If-Match", in.ifMatch}, {"X-Request-Id", in.reqID}} {
		if h[1] == "" {
			continue
		}
		if !validHeaderValue(h[1]) {
			return nil, false
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", len(in.body))
	b.Write(in.body)
	req, err := http.ReadRequest(bufio.NewReader(&b))
	if err != nil {
		return nil, false
	}
	req.RemoteAddr = "192.0.2.1:40000"
	return req, true
}

// validHeaderValue is net/http's rule (httpguts.ValidHeaderFieldValue): no
// control characters but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

type fuzzTarget struct {
	name  string
	h     http.Handler
	logs  *lockedBuffer
	fake  bool    // the upstream always succeeds: no 5xx is excusable but 501
	blank *string // set by the fake upstream when called with an empty name or id
}

func (tg *fuzzTarget) check(t *testing.T, req *http.Request) {
	t.Helper()
	tg.logs.Reset()
	if tg.blank != nil {
		*tg.blank = ""
	}
	rec := httptest.NewRecorder()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		tg.h.ServeHTTP(rec, req)
	}()
	select {
	case p := <-done:
		if p != nil {
			t.Fatalf("%s: %s %s panicked outside Recover: %v", tg.name, req.Method, req.RequestURI, p)
		}
	case <-time.After(fuzzBound):
		t.Fatalf("%s: %s %s: no answer within %s", tg.name, req.Method, req.RequestURI, fuzzBound)
	}
	status, body := rec.Code, rec.Body.Bytes()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: %s %s (Content-Type %q) → %d %s: %s\nlogs:\n%s", tg.name, req.Method, req.RequestURI,
			req.Header.Get("Content-Type"), status, body, fmt.Sprintf(format, args...), tg.logs.String())
	}
	if tg.blank != nil && *tg.blank != "" {
		// Bad input is a 400 naming the field, before any upstream call.
		fail("%s reached the upstream with an empty name or id", *tg.blank)
	}
	if req.URL.EscapedPath() == "/readyz" && req.Method == http.MethodGet {
		// Its own documented shape: 503 lists the upstreams that are not ready.
		var r struct{ Ready *bool }
		if (status != 200 && status != 503) || json.Unmarshal(body, &r) != nil || r.Ready == nil {
			fail("/readyz answers 200 or 503 with {ready, upstreams}")
		}
		return
	}
	if status < 300 {
		return
	}
	if status < 400 {
		if rec.Header().Get("Location") == "" {
			fail("a redirect says where to")
		}
		return
	}
	if req.Method == http.MethodHead {
		if len(body) != 0 {
			fail("an error answer to HEAD has no body")
		}
		return
	}
	var e struct {
		Status   *int    `json:"status"`
		Message  *string `json:"message"`
		Upstream string  `json:"upstream"`
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || json.Unmarshal(body, &e) != nil {
		fail("an error answer is JSON")
	}
	if e.Status == nil || *e.Status != status || e.Message == nil || *e.Message == "" {
		fail("an error answer has status (= the HTTP status) and a message")
	}
	switch {
	case status < 500, status == http.StatusNotImplemented:
	case tg.fake:
		fail("the upstream succeeded, so a 5xx is clustergate's own failure")
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		if e.Upstream == "" {
			fail("a %d names the upstream that caused it", status)
		}
	default:
		fail("a 5xx other than 501/502/503/504 is clustergate's own failure")
	}
}

// fuzzStackTarget is the real wiring, configured so that no request leaves
// the process: the Incus socket does not exist (never the host's real one),
// Portworx and the kubeconfig's API server are closed loopback ports, and
// Portworx has no retries.
func fuzzStackTarget(f *testing.F) (*app.Stack, *fuzzTarget) {
	dir := f.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig") // clustergate refuses to start on a missing one
	if err := os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\ncurrent-context: c\n"+
		"clusters: [{name: c, cluster: {server: 'https://"+closedPort(f)+"'}}]\n"+
		"contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	env := map[string]string{
		"INCUS_SOCKET":                filepath.Join(dir, "no-incus.socket"),
		"KUBECONFIG":                  kubeconfig,
		"PORTWORX_ENDPOINT":           "http://" + closedPort(f),
		"PORTWORX_RETRIES":            "0",
		"PORTWORX_TIMEOUT":            "2s",
		"CLUSTERGATE_API_KEYS":        "admin=" + fuzzAdminKey + ",viewer=" + fuzzViewerKey,
		"CLUSTERGATE_RATE_LIMIT":      "0", // fuzzing is one very fast caller
		"CLUSTERGATE_REQUEST_TIMEOUT": fuzzDeadline.String(),
		"CLUSTERGATE_MAX_BODY_BYTES":  fmt.Sprint(fuzzBodyLimit),
	}
	cfg, err := config.Load(flag.NewFlagSet("fuzz", flag.ContinueOnError), nil, func(k string) string { return env[k] })
	if err != nil {
		f.Fatal(err)
	}
	logs := &lockedBuffer{}
	st, err := app.Build(cfg, slog.New(slog.NewTextHandler(logs, nil)), "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	st.Echo.Logger.SetOutput(logs) // Recover prints a panic's stack there
	return st, &fuzzTarget{name: "stack", h: st.Echo, logs: logs}
}

func fuzzFakeIncusTarget(f *testing.F) *fuzzTarget {
	spec, err := incuscluster.GetSwagger()
	if err != nil {
		f.Fatal(err)
	}
	keys, err := auth.ParseKeys("admin=" + fuzzAdminKey + ",viewer=" + fuzzViewerKey)
	if err != nil {
		f.Fatal(err)
	}
	ops, err := catalog.FromSpec("incus-cluster", spec)
	if err != nil {
		f.Fatal(err)
	}
	logs, blank := &lockedBuffer{}, new(string)
	h := incushandlers.New(fakeIncus{blank: blank})
	e, err := server.New(server.Options{Keys: keys, RequestTimeout: fuzzDeadline, MaxBodyBytes: fuzzBodyLimit,
		Log: slog.New(slog.NewTextHandler(logs, nil)), Metrics: metrics.New("fuzz")},
		[]server.Surface{{Name: "incus-cluster", Upstream: "incus", Spec: spec, Ops: ops,
			Ready:    func(context.Context) error { return nil },
			Register: func(e *echo.Echo) { incuscluster.RegisterHandlers(e, incuscluster.NewStrictHandler(h, nil)) }}})
	if err != nil {
		f.Fatal(err)
	}
	e.Logger.SetOutput(logs)
	return &fuzzTarget{name: "fake-incus", h: e, logs: logs, fake: true, blank: blank}
}

// closedPort is a loopback address nothing listens on: connecting is
// refused at once.
func closedPort(f *testing.F) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// fakeIncus answers every call with a fixed, plausible value; operations
// are already finished. Only operation "missing" is a 404, as upstream.
// It records a call naming an empty member or operation in blank.
type fakeIncus struct{ blank *string }

func (f fakeIncus) named(call, name string) {
	if name == "" {
		*f.blank = call
	}
}

var fakeMember = api.ClusterMember{ServerName: "m1", URL: "https://10.0.0.1:8443", Status: "Online",
	ClusterMemberPut: api.ClusterMemberPut{Config: map[string]string{"scheduler.instance": "all"}, Groups: []string{"default"}}}

func fakeOp() *api.Operation {
	return &api.Operation{ID: "op1", Class: "task", Status: "Success", StatusCode: api.Success, CreatedAt: time.Unix(0, 0)}
}

func (fakeIncus) GetCluster(context.Context) (*api.Cluster, string, error) {
	return &api.Cluster{ServerName: "m1", Enabled: true}, "etag-1", nil
}
func (fakeIncus) UpdateCluster(context.Context, api.ClusterPut, string) (*api.Operation, bool, error) {
	return fakeOp(), true, nil
}
func (fakeIncus) UpdateCertificate(context.Context, api.ClusterCertificatePut, string) error {
	return nil
}
func (fakeIncus) CreateGroup(context.Context, api.ClusterGroupsPost) error { return nil }
func (fakeIncus) MemberURLs(context.Context, string) ([]string, error) {
	return []string{"/1.0/cluster/members/m1"}, nil
}
func (fakeIncus) Members(context.Context, string) ([]api.ClusterMember, error) {
	return []api.ClusterMember{fakeMember}, nil
}
func (fakeIncus) CreateJoinToken(_ context.Context, req api.ClusterMembersPost) (*api.ClusterMemberJoinToken, error) {
	return &api.ClusterMemberJoinToken{ServerName: req.ServerName, Secret: "s", Fingerprint: "f", Addresses: []string{"10.0.0.1:8443"}}, nil
}
func (f fakeIncus) GetMember(_ context.Context, name string) (*api.ClusterMember, string, error) {
	f.named("GetMember", name)
	m := fakeMember
	return &m, "etag-m1", nil
}
func (f fakeIncus) UpdateMember(_ context.Context, name string, _ api.ClusterMemberPut, _ string) error {
	f.named("UpdateMember", name)
	return nil
}
func (f fakeIncus) RenameMember(_ context.Context, name string, _ api.ClusterMemberPost) error {
	f.named("RenameMember", name)
	return nil
}
func (f fakeIncus) DeleteMember(_ context.Context, name string) error {
	f.named("DeleteMember", name)
	return nil
}
func (f fakeIncus) GetMemberState(_ context.Context, name string) (*api.ClusterMemberState, error) {
	f.named("GetMemberState", name)
	return &api.ClusterMemberState{}, nil
}
func (f fakeIncus) UpdateMemberState(_ context.Context, name string, _ api.ClusterMemberStatePost) (*api.Operation, bool, error) {
	f.named("UpdateMemberState", name)
	return fakeOp(), true, nil
}
func (f fakeIncus) GetOperation(_ context.Context, id string) (*api.Operation, error) {
	f.named("GetOperation", id)
	if id == "missing" {
		return nil, apierr.Upstream("incus", http.StatusNotFound, nil, "Operation not found")
	}
	return fakeOp(), nil
}

// routeSeed is one valid request per facade route, read from the stack's
// operations so the seeds follow the specs.
type routeSeed struct {
	method uint8
	path   string // after /v1/
	body   []byte
}

var templateParam = regexp.MustCompile(`\{[^}]+\}`)

func routeSeeds(stack *app.Stack) []routeSeed {
	var seeds []routeSeed
	for _, op := range stack.Ops {
		s := routeSeed{path: strings.TrimPrefix(templateParam.ReplaceAllString(op.Path, "m1"), "/v1/")}
		for i, m := range fuzzMethods {
			if m == op.Method {
				s.method = uint8(i)
			}
		}
		if rb := op.Operation.RequestBody; rb != nil && rb.Value != nil {
			if mt := rb.Value.Content.Get("application/json"); mt != nil {
				s.body, _ = json.Marshal(minimalJSON(mt.Schema, 0))
			}
		}
		seeds = append(seeds, s)
	}
	return seeds
}

// minimalJSON is a small value of the schema: required properties only.
func minimalJSON(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil || depth > 6 {
		return nil
	}
	s := ref.Value
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	if len(s.AllOf) > 0 {
		return minimalJSON(s.AllOf[0], depth+1)
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		out := map[string]any{}
		for _, name := range s.Required {
			out[name] = minimalJSON(s.Properties[name], depth+1)
		}
		return out
	case s.Type.Is("array"):
		return []any{}
	case s.Type.Is("string"):
		for _, v := range []string{"x1", "v1.36.3"} { // a name, or a version pattern
			if re, err := regexp.Compile(s.Pattern); err == nil && re.MatchString(v) {
				return v
			}
		}
		return "x1"
	case s.Type.Is("integer"), s.Type.Is("number"):
		return 1
	case s.Type.Is("boolean"):
		return false
	}
	return nil
}

// lockedBuffer collects one request's logs (Echo's and slog's).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}
