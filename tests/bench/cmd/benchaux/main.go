// Command benchaux holds the separate processes clustergate's benchmarks
// (tests/bench) run next to the binary under test:
//
//	benchaux loadgen -url URL -key K -rate R -duration D   fixed-rate load, JSON summary on stdout
//	benchaux proxy -listen ADDR -socket PATH               the plain reverse proxy, as a process (RSS baseline; the Go arm against nginx)
//	benchaux mcpmin                                        the smallest Go SDK MCP server on stdio (start-up baseline)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchaux loadgen|proxy|mcpmin [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "loadgen":
		err = loadgen(os.Args[2:])
	case "proxy":
		err = proxy(os.Args[2:])
	case "mcpmin":
		err = mcpmin()
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchaux:", err)
		os.Exit(1)
	}
}

// Summary is what loadgen prints: totals, latency quantiles, and the same
// per time window, so a slow drift over the run shows.
type Summary struct {
	Scheduled  int            `json:"scheduled"`
	Sent       int            `json:"sent"`
	OK         int            `json:"ok"`
	Errors     int            `json:"errors"`
	Skipped    int            `json:"skipped"` // in-flight cap reached: not sent
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	Late       int            `json:"late"` // sent more than 5 ms after its slot
	Rate       float64        `json:"rate"` // achieved requests/s
	P50Ms      float64        `json:"p50_ms"`
	P99Ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`
	ByKind     map[string]int `json:"by_kind"`
	Windows    []Window       `json:"windows"`
	Seconds    float64        `json:"seconds"`
}

// Window is one slice of the run.
type Window struct {
	StartS float64 `json:"start_s"`
	OK     int     `json:"ok"`
	Errors int     `json:"errors"`
	P50Ms  float64 `json:"p50_ms"`
	P99Ms  float64 `json:"p99_ms"`
}

type result struct {
	at   time.Duration // slot, from the start
	lat  time.Duration
	err  error
	kind string
}

// loadgen sends requests at a fixed rate (open loop: a slow answer does not
// delay the next request) for a fixed time, with a cap on requests in
// flight, and prints a JSON Summary.
func loadgen(args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	url := fs.String("url", "", "clustergate REST base URL")
	key := fs.String("key", "", "API key")
	mcpURL := fs.String("mcp", "", "MCP endpoint; with -mcp-every, every Nth request is a tools/call over one session")
	mcpEvery := fs.Int("mcp-every", 0, "every Nth request is an MCP tools/call (0: none)")
	memberName := fs.String("member", "bench1", "member PUT targets")
	rate := fs.Float64("rate", 200, "requests per second")
	duration := fs.Duration("duration", 60*time.Second, "how long to send")
	maxInflight := fs.Int("max-inflight", 256, "requests in flight at most; beyond, a slot is skipped and counted")
	window := fs.Duration("window", 10*time.Second, "summary window")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" || *rate <= 0 || *duration <= 0 || *duration > 15*time.Minute {
		return errors.New("need -url, a positive -rate and a -duration of at most 15m")
	}
	// Hard bound: the schedule plus time for stragglers.
	ctx, cancel := context.WithTimeout(context.Background(), *duration+30*time.Second)
	defer cancel()
	ep := &benchkit.Endpoint{Name: "clustergate", Base: *url, Client: benchkit.TCPClient(), Facade: true, Gate: true,
		Header: http.Header{"Authorization": {"Bearer " + *key}}}
	ops := []benchkit.Op{benchkit.GetMembers(), benchkit.GetMembers(), benchkit.GetCluster(), benchkit.PutMember(*memberName, benchkit.FakePutBody)}

	var session *sdk.ClientSession
	if *mcpURL != "" && *mcpEvery > 0 {
		s, _, err := benchkit.MCPSession(ctx, *mcpURL, *key)
		if err != nil {
			return fmt.Errorf("mcp connect: %w", err)
		}
		defer s.Close()
		session = s
	}

	interval := time.Duration(float64(time.Second) / *rate)
	total := int(*duration / interval)
	results := make([]result, 0, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, *maxInflight)
	sum := Summary{Scheduled: total, ErrorKinds: map[string]int{}, ByKind: map[string]int{}}
	start := time.Now()
	for i := 0; i < total && ctx.Err() == nil; i++ {
		slot := time.Duration(i) * interval
		if d := time.Until(start.Add(slot)); d > 0 {
			time.Sleep(d)
		}
		if time.Since(start)-slot > 5*time.Millisecond {
			sum.Late++
		}
		select {
		case sem <- struct{}{}:
		default:
			sum.Skipped++
			continue
		}
		sum.Sent++
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			var err error
			var kind string
			t0 := time.Now()
			if session != nil && i%*mcpEvery == 0 {
				kind = "MCP tools/call get-cluster-members-2"
				var res *sdk.CallToolResult
				if res, err = session.CallTool(ctx, &sdk.CallToolParams{Name: "get-cluster-members-2"}); err == nil {
					err = benchkit.ToolError(res)
				}
			} else {
				op := ops[i%len(ops)]
				kind = op.Name
				err = ep.Do(ctx, op)
			}
			r := result{at: slot, lat: time.Since(t0), err: err, kind: kind}
			mu.Lock()
			results = append(results, r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	var lats []time.Duration
	wins := map[int]*struct {
		ok, errs int
		lat      []time.Duration
	}{}
	for _, r := range results {
		w := int(r.at / *window)
		if wins[w] == nil {
			wins[w] = &struct {
				ok, errs int
				lat      []time.Duration
			}{}
		}
		sum.ByKind[r.kind]++
		if r.err != nil {
			sum.Errors++
			wins[w].errs++
			msg := r.err.Error()
			if len(msg) > 120 {
				msg = msg[:120]
			}
			sum.ErrorKinds[msg]++
			continue
		}
		sum.OK++
		lats = append(lats, r.lat)
		wins[w].ok++
		wins[w].lat = append(wins[w].lat, r.lat)
	}
	sum.P50Ms, sum.P99Ms, sum.MaxMs = q(lats, 0.5), q(lats, 0.99), q(lats, 1)
	keys := make([]int, 0, len(wins))
	for k := range wins {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w := wins[k]
		sum.Windows = append(sum.Windows, Window{StartS: (time.Duration(k) * *window).Seconds(), OK: w.ok, Errors: w.errs,
			P50Ms: q(w.lat, 0.5), P99Ms: q(w.lat, 0.99)})
	}
	sum.Seconds = elapsed.Seconds()
	sum.Rate = float64(sum.Sent) / elapsed.Seconds()
	return json.NewEncoder(os.Stdout).Encode(sum)
}

func q(l []time.Duration, f float64) float64 {
	if len(l) == 0 {
		return 0
	}
	l = slices.Clone(l)
	slices.Sort(l)
	i := int(f*float64(len(l)-1) + 0.5)
	return float64(l[min(i, len(l)-1)]) / float64(time.Millisecond)
}

// proxy serves the plain reverse proxy until SIGTERM.
func proxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	socket := fs.String("socket", "", "upstream unix socket")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: benchkit.ProxyHandler(*socket, true), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	fmt.Println(ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// mcpmin is the floor of an MCP stdio server written with the same SDK:
// one tool, nothing else built at start.
func mcpmin() error {
	s := sdk.NewServer(&sdk.Implementation{Name: "mcpmin", Version: "1"}, nil)
	s.AddTool(&sdk.Tool{Name: "echo", Description: "echo", InputSchema: map[string]any{"type": "object"}},
		func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: "ok"}}}, nil
		})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return s.Run(ctx, &sdk.StdioTransport{})
}
