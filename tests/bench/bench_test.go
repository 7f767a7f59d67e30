package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/tests/bench/benchkit"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// Concurrency is the fixed number of concurrent clients of the REST
// benchmarks.
const Concurrency = 8

// fastFixture is the fast upstream with the three ways to reach it.
type fastFixture struct {
	up                   *benchkit.FakeIncus
	direct, proxy, gateE *benchkit.Endpoint
	gate                 *Gate
}

func newFast(tb testing.TB) *fastFixture {
	tb.Helper()
	up, err := benchkit.StartFakeIncus()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(up.Close)
	g := StartGate(tb, GateEnv(up.Socket))
	return &fastFixture{up: up, direct: benchkit.Direct(up.Socket), proxy: Proxy(tb, up.Socket, true), gateE: g.Endpoint(), gate: g}
}

// parallel runs fn b.N times from exactly conc goroutines and reports the
// latency quantiles next to ns/op (which, with conc clients, is the inverse
// of throughput). Failed requests are counted; any failure fails the
// benchmark once, with the count and the first error.
func parallel(b *testing.B, conc int, fn func(context.Context) error) {
	b.Helper()
	ctx := context.Background()
	if err := fn(ctx); err != nil { // warm: connections, the upstream client
		b.Fatal(err)
	}
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((conc + procs - 1) / procs)
	var mu sync.Mutex
	var all []time.Duration
	var failed int
	var first error
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1024)
		errs := 0
		var err1 error
		for pb.Next() {
			t0 := time.Now()
			if err := fn(ctx); err != nil {
				errs++
				if err1 == nil {
					err1 = err
				}
				continue
			}
			lat = append(lat, time.Since(t0))
		}
		mu.Lock()
		all = append(all, lat...)
		failed += errs
		if first == nil {
			first = err1
		}
		mu.Unlock()
	})
	b.StopTimer()
	reportQuantiles(b, all)
	if failed > 0 {
		b.Errorf("%d of %d requests failed; first: %v", failed, failed+len(all), first)
	}
}

func sequential(b *testing.B, fn func(context.Context) error) {
	b.Helper()
	ctx := context.Background()
	if err := fn(ctx); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := fn(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportQuantiles(b, lat)
}

func reportQuantiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}

func restArms(b *testing.B, f *fastFixture, op benchkit.Op) {
	for _, ep := range []*benchkit.Endpoint{f.direct, f.proxy, f.gateE} {
		b.Run(name(ep), func(b *testing.B) {
			parallel(b, Concurrency, func(ctx context.Context) error { return ep.Do(ctx, op) })
		})
	}
}

func name(ep *benchkit.Endpoint) string {
	switch ep.Name {
	case "reverse proxy":
		return "proxy"
	}
	return ep.Name
}

// BenchmarkRESTGet: GET members-recursion-1 at concurrency 8 against the fast
// upstream, straight (direct), through httputil.ReverseProxy (proxy) and
// through clustergate.
func BenchmarkRESTGet(b *testing.B) { restArms(b, newFast(b), benchkit.GetMembers()) }

// BenchmarkRESTGetCluster: GET /v1/1-0/cluster, same arms.
func BenchmarkRESTGetCluster(b *testing.B) { restArms(b, newFast(b), benchkit.GetCluster()) }

// BenchmarkRESTPut: PUT member with a body, same arms.
func BenchmarkRESTPut(b *testing.B) {
	restArms(b, newFast(b), benchkit.PutMember("bench1", benchkit.FakePutBody))
}

// BenchmarkRESTLXD: the same against a real LXD daemon over its unix socket
// (skipped when LXD cannot be started here).
func BenchmarkRESTLXD(b *testing.B) {
	d := lxdtest.Start(b)
	put := lxdPutBody(b, d)
	g := StartGate(b, GateEnv(d.Socket))
	eps := []*benchkit.Endpoint{benchkit.Direct(d.Socket), Proxy(b, d.Socket, true), g.Endpoint()}
	for _, op := range []benchkit.Op{benchkit.GetMembers(), benchkit.PutMember(d.Name, put)} {
		b.Run(op.Method, func(b *testing.B) {
			for _, ep := range eps {
				b.Run(name(ep), func(b *testing.B) {
					parallel(b, Concurrency, func(ctx context.Context) error { return ep.Do(ctx, op) })
				})
			}
		})
	}
}

// lxdPutBody is the member's own writable fields with a description, so
// every PUT is accepted and changes nothing else.
func lxdPutBody(tb testing.TB, d *lxdtest.Daemon) []byte {
	tb.Helper()
	m, _, err := d.Client().GetClusterMember(d.Name)
	if err != nil {
		tb.Fatal(err)
	}
	w := m.Writable()
	w.Description = "bench"
	body, err := json.Marshal(w)
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkMCPToolsCall: one client, one call at a time: the REST GET and
// the MCP tools/call that wraps it (Go SDK client, streamable HTTP), and the
// same tools/call from a raw JSON-RPC client (benchkit.RawMCP), which
// separates the server's cost from the Go SDK client's.
func BenchmarkMCPToolsCall(b *testing.B) {
	f := newFast(b)
	s := mcpSession(b, f.gate.MCPURL)
	raw := rawSession(b, f.gate.MCPURL)
	op := benchkit.GetMembers()
	b.Run("rest", func(b *testing.B) {
		sequential(b, func(ctx context.Context) error { return f.gateE.Do(ctx, op) })
	})
	b.Run("tools-call", func(b *testing.B) {
		sequential(b, func(ctx context.Context) error { return callTool(ctx, s, "get-cluster-members-2", nil) })
	})
	b.Run("raw-tools-call", func(b *testing.B) {
		sequential(b, func(ctx context.Context) error { return raw.CallTool(ctx, "get-cluster-members-2", nil) })
	})
}

// BenchmarkMCPToolsList: tools/list, next to ping (the smallest MCP round trip).
func BenchmarkMCPToolsList(b *testing.B) {
	f := newFast(b)
	s := mcpSession(b, f.gate.MCPURL)
	b.Run("ping", func(b *testing.B) {
		sequential(b, func(ctx context.Context) error { return s.Ping(ctx, nil) })
	})
	b.Run("tools-list", func(b *testing.B) {
		sequential(b, func(ctx context.Context) error { _, err := s.ListTools(ctx, nil); return err })
	})
}

func mcpSession(tb testing.TB, url string) *sdk.ClientSession {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, _, err := benchkit.MCPSession(ctx, url, benchkit.BenchKey)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func callTool(ctx context.Context, s *sdk.ClientSession, name string, args map[string]any) error {
	res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		return err
	}
	return benchkit.ToolError(res)
}

// BenchmarkHandler calls clustergate's handler chain (Stack.Echo) in
// process, one request at a time, with no client or listener in front,
// against the fast upstream: the benchmark to profile clustergate's own
// per-request cost (make bench takes its CPU profile from it).
func BenchmarkHandler(b *testing.B) {
	f := newFast(b)
	for _, hp := range HotPaths() {
		op := hp.Op
		b.Run(hp.Name, func(b *testing.B) {
			sequential(b, func(ctx context.Context) error { return serveInProcess(ctx, f.gate, op) })
		})
	}
}

// HotPath is a request BenchmarkHandler measures, under its sub-benchmark name.
type HotPath struct {
	Name string
	Op   benchkit.Op
}

// HotPaths are the requests BenchmarkHandler measures against the fast
// upstream (GET keeps the name it had when it was the only read measured).
func HotPaths() []HotPath {
	return []HotPath{
		{"GET", benchkit.GetMembers()},
		{"GET-member", benchkit.GetMember("bench1")},
		{"PUT", benchkit.PutMember("bench1", benchkit.FakePutBody)},
		{"PATCH", benchkit.PatchMember("bench1", benchkit.FakePatchBody)},
	}
}

func serveInProcess(ctx context.Context, g *Gate, op benchkit.Op) error {
	// Without a body the request has none (http.NoBody), as net/http's
	// server gives a served GET; an empty reader would be a body to read.
	var body io.Reader
	if op.Body != nil {
		body = bytes.NewReader(op.Body)
	}
	req := httptest.NewRequestWithContext(ctx, op.Method, op.Facade, body)
	req.Header.Set("Authorization", "Bearer "+benchkit.BenchKey)
	if op.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	g.Stack.Echo.ServeHTTP(rec, req)
	if rec.Code != op.Want {
		return &statusError{got: rec.Code, want: op.Want, body: rec.Body.String()}
	}
	return nil
}

type statusError struct {
	got, want int
	body      string
}

func (e *statusError) Error() string {
	return http.StatusText(e.got) + " (want " + http.StatusText(e.want) + "): " + e.body
}

// BenchmarkStartupStdio: process start to the first tools/list answer over
// stdio, `clustergate mcp` (built as `make build` does) next to the smallest
// Go SDK stdio server.
func BenchmarkStartupStdio(b *testing.B) {
	cg, aux := Binaries(b)
	up, err := benchkit.StartFakeIncus()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(up.Close)
	for _, c := range []struct {
		name string
		argv []string
	}{{"minimal", []string{aux, "mcpmin"}}, {"clustergate", []string{cg, "mcp"}}} {
		b.Run(c.name, func(b *testing.B) {
			sequential(b, func(ctx context.Context) error {
				_, _, err := startToToolsList(ctx, c.argv, []string{"INCUS_SOCKET=" + up.Socket})
				return err
			})
		})
	}
}

// startToToolsList starts argv as an MCP stdio server and returns the time
// from starting the process to the first tools/list answer, and the CPU
// time (user+system) the process used from start to exit (it is closed right
// after the answer, and idles until then).
func startToToolsList(ctx context.Context, argv, env []string) (wall, cpu time.Duration, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	c := sdk.NewClient(&sdk.Implementation{Name: "bench", Version: "1"}, nil)
	t0 := time.Now()
	s, err := c.Connect(ctx, &sdk.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second}, nil)
	if err != nil {
		return 0, 0, err
	}
	if _, err := s.ListTools(ctx, nil); err != nil {
		_ = s.Close()
		return 0, 0, err
	}
	wall = time.Since(t0)
	_ = s.Close() // waits for the process to exit
	if st := cmd.ProcessState; st != nil {
		cpu = st.UserTime() + st.SystemTime()
	}
	return wall, cpu, nil
}

// BenchmarkStackBuild is the start-up work after package initialisation:
// reading the configuration, app.Build (surfaces, routes, validators, MCP
// tool derivation) and the MCP HTTP handler `serve` builds (one SDK server
// per role). No upstream is contacted.
func BenchmarkStackBuild(b *testing.B) {
	up, err := benchkit.StartFakeIncus()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(up.Close)
	env := GateEnv(up.Socket)
	b.ReportAllocs()
	for range b.N {
		cfg, err := config.Load(flag.NewFlagSet("bench", flag.ContinueOnError), nil, func(k string) string { return env[k] })
		if err != nil {
			b.Fatal(err)
		}
		st, err := app.Build(cfg, slog.New(slog.DiscardHandler), "bench")
		if err != nil {
			b.Fatal(err)
		}
		_ = st.MCPMux("bench", time.Second)
	}
}
