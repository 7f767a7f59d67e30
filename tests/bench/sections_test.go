package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// RESTTarget is the budget of clustergate's p50 over the plain reverse
// proxy's; MCPTarget that of a tools/call over the REST call it wraps.
const (
	RESTTarget = 1.3
	MCPTarget  = 1.5
)

// sizes picks the plan for a section: full, or small in quick mode.
func sizes(r *Report, conc, rounds, perRound int) Plan {
	p := Plan{Conc: conc, Warm: max(perRound/5, 20), Rounds: rounds, PerRound: perRound, MaxRound: 30 * time.Second}
	if r.Quick {
		p.Rounds, p.PerRound, p.Warm = 2, max(perRound/5, 20), 10
	}
	return p
}

func restFast(t *testing.T, r *Report) {
	f := newFast(t)
	noKA := Proxy(t, f.up.Socket, false)
	sec := r.add(&Section{Title: "REST overhead — fast upstream",
		Intro: "The upstream is a tiny HTTP server on a unix socket in the test process that answers like Incus/LXD with " +
			"fixed bodies (a three-member cluster, shaped like a real LXD's answers), so what remains is the cost of whatever " +
			"sits in front of it. Arms: **direct** — the same request straight to the upstream socket (its own paths); " +
			"**reverse proxy** (the baseline, the floor) — `net/http/httputil.ReverseProxy` on loopback TCP mapping the facade " +
			"paths to the upstream's, keep-alive to the upstream; **proxy, dial per request** — the same proxy with upstream " +
			"keep-alive off, as the Incus client clustergate uses works (attribution only); **clustergate** — `app.Build`, " +
			"the whole stack as `serve` wires it, in process on loopback TCP, with an API key and a rate limit far above the " +
			"offered load (so key checking and the limiter run), logs written to a file. Clients are Go `net/http` with " +
			"keep-alive, closed loop (each worker sends its next request when the previous one is answered); all arms and " +
			"the load generator share the machine's CPUs."})
	ctx := context.Background()
	ops := []benchkit.Op{benchkit.GetMembers(), benchkit.GetCluster(), benchkit.PutMember(f.up.Members[0], benchkit.FakePutBody)}
	eps := []*benchkit.Endpoint{f.direct, noKA, f.proxy, f.gateE}
	for _, conc := range []int{Concurrency, 1} {
		p := sizes(r, conc, 5, map[int]int{Concurrency: 1500, 1: 400}[conc])
		tbl := &Table{Caption: fmt.Sprintf("Concurrency %d (%d rounds × %d requests per arm)", conc, p.Rounds, p.PerRound),
			Short: fmt.Sprintf("c=%d", conc), Head: []string{"direct", "proxy, dial per request", "reverse proxy (baseline)", "clustergate"}}
		for _, op := range ops {
			before := f.up.Requests.Load()
			res := Compare(ctx, p, arms(eps, op)...)
			sent := totalRequests(res) + p.Warm*len(eps)
			perReq := float64(f.up.Requests.Load()-before) / float64(sent)
			tbl.Rows = append(tbl.Rows, restRows(op.Name, eps, res, "fast")...)
			firstErrors(sec, fmt.Sprintf("%s at concurrency %d", op.Name, conc), res)
			if math.Abs(perReq-1) > 0.001 {
				sec.Notes = append(sec.Notes, fmt.Sprintf("Upstream requests per request for %s at concurrency %d: %.4f (expected 1; failed requests may not have reached it).", op.Name, conc, perReq))
			}
		}
		sec.Tables = append(sec.Tables, tbl)
	}
	sec.Notes = append(sec.Notes, "Requests reaching the upstream are counted: each request of each arm reached it exactly once unless a note above says otherwise; "+
		"and every answer was read in full and its status checked (clustergate answers PUT with 200 and the member, after a read, the write and a read-back: three upstream requests). "+
		"Throughput is successful requests per second of wall time at that concurrency, for the arm's rounds only.")
}

func arms(eps []*benchkit.Endpoint, op benchkit.Op) []Arm {
	out := make([]Arm, len(eps))
	for i, ep := range eps {
		out[i] = Arm{Name: ep.Name, Do: func(ctx context.Context) error { return ep.Do(ctx, op) }}
	}
	return out
}

func totalRequests(res map[string]*Sample) int {
	n := 0
	for _, s := range res {
		n += s.N() + s.Errors
	}
	return n
}

// restRows are the p50, p99, throughput and error rows of one request,
// clustergate against the reverse proxy (the last two endpoints).
func restRows(label string, eps []*benchkit.Endpoint, res map[string]*Sample, why string) []Row {
	n := len(eps)
	base, cg := res[eps[n-2].Name], res[eps[n-1].Name]
	vals := func(f func(*Sample) string) []string {
		v := make([]string, n)
		for i, ep := range eps {
			v[i] = f(res[ep.Name])
		}
		return v
	}
	p50 := ratio(float64(cg.P50()), float64(base.P50()))
	rows := []Row{
		{Label: label + " — p50", Values: vals(func(s *Sample) string { return Ms(s.P50()) }), Ratio: p50,
			Target: fmt.Sprintf("≤ %.1f×", RESTTarget), Met: met(p50 <= RESTTarget), Why: why + "-p50"},
		{Label: label + " — p99", Values: vals(func(s *Sample) string { return Ms(s.P99()) }),
			Ratio: ratio(float64(cg.P99()), float64(base.P99()))},
		{Label: label + " — throughput", Values: vals(func(s *Sample) string { return fmt.Sprintf("%.0f req/s", s.Throughput()) }),
			Ratio: ratio(cg.Throughput(), base.Throughput())},
	}
	errs := Row{Label: label + " — failed requests", Values: vals(func(s *Sample) string {
		if s.Errors == 0 {
			return "0"
		}
		return fmt.Sprintf("%d of %d", s.Errors, s.Errors+s.N())
	}), Ratio: math.NaN(), Target: "0", Met: met(cg.Errors == 0 && base.Errors == 0), Why: "errors", Errors: cg.Errors}
	return append(rows, errs)
}

// firstErrors notes the first failure of each arm, if any.
func firstErrors(sec *Section, what string, res map[string]*Sample) {
	names := make([]string, 0, len(res))
	for n := range res {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if s := res[n]; s.FirstErr != nil {
			sec.Notes = append(sec.Notes, fmt.Sprintf("%s, %s: %d failed; the first: `%.220s`", what, n, s.Errors, oneLine(s.FirstErr.Error())))
		}
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", "\\|")
}

func restLXD(t *testing.T, r *Report) {
	if err := lxdtest.Available(); err != nil {
		t.Skip(err)
	}
	d := lxdtest.Start(t)
	put := lxdPutBody(t, d)
	g := StartGate(t, GateEnv(d.Socket))
	sec := r.add(&Section{Title: "REST overhead — real LXD",
		Intro: "The upstream is a real LXD daemon (Debian's `lxd`, started by `tests/lxdtest`: a one-member cluster on loopback), " +
			"reached over its unix socket by every arm. Same arms as above (direct, reverse proxy baseline, clustergate). " +
			"PUT sends the member's own writable fields with a description, so every write is accepted and changes nothing else. " +
			"HTTPS to LXD is not measured: clustergate reaches a local LXD over the socket, as configured by `INCUS_SOCKET`."})
	eps := []*benchkit.Endpoint{benchkit.Direct(d.Socket), Proxy(t, d.Socket, true), g.Endpoint()}
	ops := []benchkit.Op{benchkit.GetMembers(), benchkit.PutMember(d.Name, put)}
	for _, conc := range []int{Concurrency, 1} {
		p := sizes(r, conc, 4, map[int]int{Concurrency: 300, 1: 100}[conc])
		tbl := &Table{Caption: fmt.Sprintf("Concurrency %d (%d rounds × %d requests per arm)", conc, p.Rounds, p.PerRound),
			Short: fmt.Sprintf("c=%d", conc), Head: []string{"direct", "reverse proxy (baseline)", "clustergate"}}
		for _, op := range ops {
			res := Compare(context.Background(), p, arms(eps, op)...)
			tbl.Rows = append(tbl.Rows, restRows(op.Name, eps, res, "lxd")...)
			firstErrors(sec, fmt.Sprintf("%s at concurrency %d", op.Name, conc), res)
		}
		sec.Tables = append(sec.Tables, tbl)
	}
}

func mcpSection(t *testing.T, r *Report) {
	f := newFast(t)
	sec := r.add(&Section{Title: "MCP",
		Intro: "One Go SDK client (`github.com/modelcontextprotocol/go-sdk`, streamable HTTP, one session) and one REST client " +
			"(`net/http`, keep-alive), one request at a time, interleaved round by round against the same in-process clustergate. " +
			"A tool call runs the REST request through the same handler chain in process, so the ratio is what MCP adds: " +
			"JSON-RPC, the session, the SDK and the result's structured and text copies. The Go SDK client's rows carry the target. " +
			"A third arm, interleaved with the other two, sends the same tools/call with a **raw JSON-RPC client** " +
			"(`tests/bench/benchkit/rawmcp.go`: `net/http` with keep-alive and `encoding/json`, one session, the answer read from " +
			"the SSE stream clustergate answers with, or as `application/json`, and checked to be a result with `isError` false; " +
			"a JSON-RPC error or an error result counts as a failed request): client and server share this process, so its rows " +
			"(attribution only, no target) split what MCP adds into the server's side (raw ÷ REST) and the Go SDK client's own cost " +
			"(the gap between the raw and the Go SDK rows). `tools/list` is compared with `ping`, the smallest MCP round trip on the same session."})
	ctx := context.Background()
	s, sent := mcpSessionCounted(t, f.gate.MCPURL)
	raw := rawSession(t, f.gate.MCPURL)
	p := sizes(r, 1, 5, 300)
	tbl := &Table{Caption: "Fast upstream (one call at a time)", Short: "fast", Head: []string{"baseline", "baseline figure", "MCP figure"}}
	calls := 0
	counted := func(fn func(context.Context) error) func(context.Context) error {
		return func(ctx context.Context) error { calls++; return fn(ctx) }
	}
	for _, c := range []struct {
		label, tool string
		args        map[string]any
		op          benchkit.Op
	}{
		{"tools/call get-cluster-members-2 vs REST GET members-recursion-1", "get-cluster-members-2", nil, benchkit.GetMembers()},
		{"tools/call update-cluster-member vs REST PUT member", "update-cluster-member",
			map[string]any{"name": f.up.Members[0], "body": jsonObject(benchkit.FakePutBody)}, benchkit.PutMember(f.up.Members[0], benchkit.FakePutBody)},
	} {
		res := Compare(ctx, p,
			Arm{Name: "rest", Do: func(ctx context.Context) error { return f.gateE.Do(ctx, c.op) }},
			Arm{Name: "mcp", Do: counted(func(ctx context.Context) error { return callTool(ctx, s, c.tool, c.args) })},
			Arm{Name: "raw", Do: func(ctx context.Context) error { return raw.CallTool(ctx, c.tool, c.args) }})
		tbl.Rows = append(tbl.Rows, mcpRows(c.label, "REST", res["rest"], res["mcp"], res["raw"], true)...)
		firstErrors(sec, "fast, "+c.label, res)
		r.quote("mcp-call", attribution("fast, "+c.tool, res))
	}
	pl := sizes(r, 1, 5, 60)
	res := Compare(ctx, pl,
		Arm{Name: "ping", Do: counted(func(ctx context.Context) error { return s.Ping(ctx, nil) })},
		Arm{Name: "list", Do: counted(func(ctx context.Context) error {
			l, err := s.ListTools(ctx, nil)
			if err == nil && len(l.Tools) == 0 {
				err = fmt.Errorf("no tools")
			}
			return err
		})})
	tbl.Rows = append(tbl.Rows, mcpRows("tools/list vs ping", "ping", res["ping"], res["list"], nil, false)...)
	firstErrors(sec, "fast, tools/list vs ping", res)
	sec.Tables = append(sec.Tables, tbl)
	httpRequests := sent()
	size, ntools := toolsListSize(ctx, t, s)
	sec.Notes = append(sec.Notes,
		fmt.Sprintf("The MCP client sent %d HTTP requests for the %d MCP calls made (warm-up included; any extra is the session's standing GET stream): every call went over the wire, none was answered from a client-side cache.", httpRequests, calls),
		fmt.Sprintf("The raw JSON-RPC client sent %d HTTP requests (initialize and `notifications/initialized` included) over %d TCP connection(s).", raw.Requests(), raw.Dials()),
		fmt.Sprintf("tools/list returns %d tools in %s of JSON.", ntools, kb(size)))

	if lxdtest.Available() == nil {
		d := lxdtest.Start(t)
		g := StartGate(t, GateEnv(d.Socket))
		ls, _ := mcpSessionCounted(t, g.MCPURL)
		lraw := rawSession(t, g.MCPURL)
		ep := g.Endpoint()
		res := Compare(ctx, sizes(r, 1, 4, 100),
			Arm{Name: "rest", Do: func(ctx context.Context) error { return ep.Do(ctx, benchkit.GetMembers()) }},
			Arm{Name: "mcp", Do: func(ctx context.Context) error { return callTool(ctx, ls, "get-cluster-members-2", nil) }},
			Arm{Name: "raw", Do: func(ctx context.Context) error { return lraw.CallTool(ctx, "get-cluster-members-2", nil) }})
		const label = "tools/call get-cluster-members-2 vs REST GET members-recursion-1"
		sec.Tables = append(sec.Tables, &Table{Caption: "Real LXD (one call at a time)", Short: "LXD", Head: []string{"baseline", "baseline figure", "MCP figure"},
			Rows: mcpRows(label, "REST", res["rest"], res["mcp"], res["raw"], true)})
		firstErrors(sec, "LXD, "+label, res)
		r.quote("mcp-call", attribution("LXD, get-cluster-members-2", res))
	}
}

// mcpRows are the p50 and p99 rows of an MCP client (m) against its
// baseline; with raw, the raw JSON-RPC client's rows (attribution only);
// then the failed requests of every arm.
func mcpRows(label, baseName string, base, m, raw *Sample, target bool) []Row {
	p50 := ratio(float64(m.P50()), float64(base.P50()))
	row := Row{Label: label + " — p50", Values: []string{baseName, Ms(base.P50()), Ms(m.P50())}, Ratio: p50}
	if target {
		row.Target, row.Met, row.Why = fmt.Sprintf("≤ %.1f×", MCPTarget), met(p50 <= MCPTarget), "mcp-call"
	} else {
		row.Why = "tools-list"
	}
	rows := []Row{row,
		{Label: label + " — p99", Values: []string{baseName, Ms(base.P99()), Ms(m.P99())}, Ratio: ratio(float64(m.P99()), float64(base.P99()))}}
	failed, errs := failedOf(m), m.Errors
	if raw != nil {
		const who = " — raw JSON-RPC client (attribution)"
		rows = append(rows,
			Row{Label: label + who + ", p50", Values: []string{baseName, Ms(base.P50()), Ms(raw.P50())}, Ratio: ratio(float64(raw.P50()), float64(base.P50()))},
			Row{Label: label + who + ", p99", Values: []string{baseName, Ms(base.P99()), Ms(raw.P99())}, Ratio: ratio(float64(raw.P99()), float64(base.P99()))})
		failed, errs = "Go SDK client "+failed+", raw client "+failedOf(raw), errs+raw.Errors
	}
	return append(rows, Row{Label: label + " — failed requests", Values: []string{baseName, failedOf(base), failed},
		Ratio: math.NaN(), Target: "0", Met: met(base.Errors+errs == 0), Why: "errors", Errors: errs})
}

// failedOf is an arm's failed requests: 0, or how many of how many sent.
func failedOf(s *Sample) string {
	if s.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d of %d", s.Errors, s.Errors+s.N())
}

// attribution says in words how this run splits what a tool call adds to
// the REST call between the server side (raw − REST) and the Go SDK client
// (SDK − raw), at the p50.
func attribution(what string, res map[string]*Sample) string {
	rest, sdkc, raw := res["rest"].P50(), res["mcp"].P50(), res["raw"].P50()
	return fmt.Sprintf("%s, p50: REST %s, raw JSON-RPC client %s (%s), Go SDK client %s (%s). Of the %s the Go SDK client's call adds to REST, "+
		"%s is the server side and the exchange (raw − REST) and %s the Go SDK client's own cost (Go SDK − raw).",
		what, Ms(rest), Ms(raw), fmtRatio(ratio(float64(raw), float64(rest))), Ms(sdkc), fmtRatio(ratio(float64(sdkc), float64(rest))),
		Ms(sdkc-rest), Ms(raw-rest), Ms(sdkc-raw))
}

func mcpSessionCounted(tb testing.TB, url string) (*sdk.ClientSession, func() int64) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, sent, err := benchkit.MCPSession(ctx, url, benchkit.BenchKey)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	start := sent()
	return s, func() int64 { return sent() - start }
}

// rawSession opens a raw JSON-RPC MCP session (benchkit.RawMCP), closed
// when the test ends.
func rawSession(tb testing.TB, url string) *benchkit.RawMCP {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := benchkit.DialRawMCP(ctx, url, benchkit.BenchKey)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

func toolsListSize(ctx context.Context, tb testing.TB, s *sdk.ClientSession) (int, int) {
	l, err := s.ListTools(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	raw := mustMarshal(tb, l)
	return len(raw), len(l.Tools)
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }
