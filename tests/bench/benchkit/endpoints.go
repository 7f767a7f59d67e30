package benchkit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"strings"
	"time"
)

// BenchKey is the admin API key every gate under test is started with: the
// measured chain includes key checking, as in production.
const BenchKey = "bench-admin-key"

// Op is one request as a client of clustergate (Facade path) and as a
// client of the upstream itself (Upstream path) would send it.
type Op struct {
	Name     string
	Method   string
	Facade   string // path on clustergate and on the reverse proxy
	Upstream string // the same request on the upstream's own API
	Body     []byte
	Want     int // status clustergate answers
	WantUp   int // status the upstream (and so the proxy) answers
}

// GetMembers is GET members-recursion-1: every member with its details.
func GetMembers() Op {
	return Op{Name: "GET members-recursion-1", Method: http.MethodGet, Facade: "/v1/1-0/cluster/members-recursion-1",
		Upstream: "/1.0/cluster/members?recursion=1", Want: 200, WantUp: 200}
}

// GetMember is GET one member (with its ETag).
func GetMember(name string) Op {
	return Op{Name: "GET member", Method: http.MethodGet, Facade: "/v1/1-0/cluster/members/" + name,
		Upstream: "/1.0/cluster/members/" + name, Want: 200, WantUp: 200}
}

// PatchMember is PATCH member: clustergate reads, merges, writes and reads
// back (the upstream's own PATCH does not merge every field).
func PatchMember(name string, body []byte) Op {
	return Op{Name: "PATCH member", Method: http.MethodPatch, Facade: "/v1/1-0/cluster/members/" + name,
		Upstream: "/1.0/cluster/members/" + name, Body: body, Want: 200, WantUp: 200}
}

// FakePatchBody is the PATCH member body used against the fake upstream:
// it merges to what the fake already holds, so the read-back verifies.
var FakePatchBody = []byte(`{"description":"bench"}`)

// GetCluster is GET /v1/1-0/cluster.
func GetCluster() Op {
	return Op{Name: "GET cluster", Method: http.MethodGet, Facade: "/v1/1-0/cluster", Upstream: "/1.0/cluster", Want: 200, WantUp: 200}
}

// PutMember is PUT member with a body (the member's writable fields).
// clustergate answers 200 with the member: it reads, writes and reads back
// (three upstream requests) so that no write is lost or acknowledged
// unverified.
func PutMember(name string, body []byte) Op {
	return Op{Name: "PUT member", Method: http.MethodPut, Facade: "/v1/1-0/cluster/members/" + name,
		Upstream: "/1.0/cluster/members/" + name, Body: body, Want: 200, WantUp: 200}
}

// FakePutBody is the PUT member body used against the fake upstream.
var FakePutBody = []byte(`{"config":{"scheduler.instance":"all"},"description":"bench","failure_domain":"default","groups":["default"],"roles":["database"]}`)

// Endpoint is where requests go: the upstream itself, the proxy or the gate.
type Endpoint struct {
	Name   string
	Base   string // scheme and host; http://unix for a unix socket
	Client *http.Client
	Facade bool // send the facade path (gate, proxy) rather than the upstream's
	Gate   bool // clustergate: expect Op.Want, send the key
	Header http.Header
}

// Do sends op once, reads the whole answer and checks its status.
func (e *Endpoint) Do(ctx context.Context, op Op) error {
	path, want := op.Upstream, op.WantUp
	if e.Facade {
		path = op.Facade
	}
	if e.Gate {
		want = op.Want
	}
	var body io.Reader
	if op.Body != nil {
		body = bytes.NewReader(op.Body)
	}
	req, err := http.NewRequestWithContext(ctx, op.Method, e.Base+path, body)
	if err != nil {
		return err
	}
	if op.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range e.Header {
		req.Header[k] = v
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s via %s: status %d, want %d: %.200s", op.Method, path, e.Name, resp.StatusCode, want, b)
	}
	return nil
}

// UnixClient is a keep-alive HTTP client whose every connection goes to socket.
func UnixClient(socket string) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
		MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
	}}
}

// TCPClient is a keep-alive HTTP client for loopback servers.
func TCPClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
	}}
}

// Direct is the upstream itself, over its unix socket.
func Direct(socket string) *Endpoint {
	return &Endpoint{Name: "direct", Base: "http://unix", Client: UnixClient(socket)}
}

// UpstreamPath maps a facade path to the upstream's: /v1/1-0/x -> /1.0/x,
// members-recursion-1 -> members?recursion=1. It is all the plain reverse
// proxy knows about clustergate's routes.
func UpstreamPath(path string) (string, string) {
	if path == "/v1/1-0/cluster/members-recursion-1" {
		return "/1.0/cluster/members", "recursion=1"
	}
	if rest, ok := strings.CutPrefix(path, "/v1/1-0/"); ok {
		return "/1.0/" + rest, ""
	}
	return path, ""
}

// ProxyHandler is the floor: net/http/httputil.ReverseProxy in front of the
// upstream socket, with keep-alive upstream connections (keepAlive false
// dials afresh per request, as the Incus client does).
func ProxyHandler(socket string, keepAlive bool) http.Handler {
	tr := UnixClient(socket).Transport.(*http.Transport)
	tr.DisableKeepAlives = !keepAlive
	return &httputil.ReverseProxy{
		Transport: tr,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host, pr.Out.Host = "http", "unix", "unix"
			path, query := UpstreamPath(pr.In.URL.Path)
			pr.Out.URL.Path, pr.Out.URL.RawPath = path, ""
			if query != "" {
				pr.Out.URL.RawQuery = query
			}
		},
		ErrorLog: nil,
	}
}

// Serve serves h on a free loopback port until Close and returns its URL.
func Serve(h http.Handler) (url string, closeFn func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "bench: server stopped with", err)
		}
	}, nil
}
