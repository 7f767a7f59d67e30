package bench

import (
	"flag"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

// Proxy starts the reverse proxy on loopback for the test.
func Proxy(tb testing.TB, socket string, keepAlive bool) *benchkit.Endpoint {
	tb.Helper()
	url, closeFn, err := benchkit.Serve(benchkit.ProxyHandler(socket, keepAlive))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeFn)
	name := "reverse proxy"
	if !keepAlive {
		name = "reverse proxy, no upstream keep-alive"
	}
	return &benchkit.Endpoint{Name: name, Base: url, Client: benchkit.TCPClient(), Facade: true}
}

// Gate is clustergate running in this process, as `clustergate serve` wires
// it (app.Build), REST and MCP on loopback. It is tests/cgtest.Start except
// that logs go to a file, as serve's go to stderr, instead of being kept in
// memory for the whole run.
type Gate struct {
	URL, MCPURL string
	Stack       *app.Stack
	LogPath     string
}

// GateEnv is the configuration every benchmark gate runs with: an API key
// (so key checking is measured), the rate limit off (a limit turns a load
// test into a 429 test; the nginx baseline has none either), and no sandbox
// for the surfaces left unconfigured, as the Helm chart deploys it.
func GateEnv(socket string) map[string]string {
	return map[string]string{
		"INCUS_SOCKET": socket, "CLUSTERGATE_API_KEYS": "admin=" + benchkit.BenchKey,
		"CLUSTERGATE_RATE_LIMIT": "0", "CLUSTERGATE_SANDBOX": "false",
	}
}

// EnvList is env as NAME=value strings, for a process.
func EnvList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// StartGate starts an in-process clustergate for the test.
func StartGate(tb testing.TB, env map[string]string) *Gate {
	tb.Helper()
	cfg, err := config.Load(flag.NewFlagSet("bench", flag.ContinueOnError), nil, func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	logf, err := os.CreateTemp("", "cgbench-log-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { logf.Close(); os.Remove(logf.Name()) })
	st, err := app.Build(cfg, slog.New(slog.NewJSONHandler(logf, nil)), "bench")
	if err != nil {
		tb.Fatal(err)
	}
	g := &Gate{Stack: st, LogPath: logf.Name()}
	var closeREST, closeMCP func()
	if g.URL, closeREST, err = benchkit.Serve(st.Echo); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeREST)
	mcpURL, closeMCP, err := benchkit.Serve(st.MCPMux("bench", time.Second))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeMCP)
	g.MCPURL = mcpURL + "/mcp"
	return g
}

// Endpoint is the gate's REST front, with the key.
func (g *Gate) Endpoint() *benchkit.Endpoint {
	return &benchkit.Endpoint{Name: "clustergate", Base: g.URL, Client: benchkit.TCPClient(), Facade: true, Gate: true,
		Header: http.Header{"Authorization": {"Bearer " + benchkit.BenchKey}}}
}

// Short names for the load kit's types and functions.
type (
	Plan   = benchkit.Plan
	Arm    = benchkit.Arm
	Sample = benchkit.Sample
)

var (
	Compare = benchkit.Compare
	Closed  = benchkit.Closed
	Ms      = benchkit.Ms
	LoadAvg = benchkit.LoadAvg
)
