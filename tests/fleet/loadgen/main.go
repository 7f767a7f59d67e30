// Command loadgen is the fleet test's steady load (tests/fleet), run as a
// second process so the load does not share the test's scheduler: REST
// requests at a fixed rate through the balancer, and every Nth request an
// MCP tools/call through the balancer's MCP port on one Go SDK client.
//
// Every request opens a new connection (no keep-alive), so none is retried
// behind the count: Go's client replays an idempotent request only on a
// reused connection. A request fails unless it gets a 200 (REST) or a tool
// result without isError (MCP). It stops when stdin closes (the test says
// the rolling restart is over), or at -max-duration or -max-requests,
// whichever comes first, waits for the requests in flight, and prints a JSON
// summary on stdout.
//
//	loadgen -rest URL -mcp URL -key K -rate R [-mcp-every N] [-max-duration D] [-max-requests N]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Summary is what loadgen prints.
type Summary struct {
	Sent       int            `json:"sent"`
	OK         int            `json:"ok"`
	Failed     int            `json:"failed"`
	MCPOK      int            `json:"mcp_ok"`
	MCPFailed  int            `json:"mcp_failed"`
	Skipped    int            `json:"skipped"`      // in-flight cap reached: not sent
	Failures   map[string]int `json:"failures"`     // message → count
	ByUpstream map[string]int `json:"by_upstream"`  // nginx's X-Upstream (replica address) → REST answers
	MCPVersion string         `json:"mcp_protocol"` // the protocol version the MCP session settled on
	Seconds    float64        `json:"seconds"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	rest := flag.String("rest", "", "REST base URL (the balancer)")
	mcpURL := flag.String("mcp", "", "MCP endpoint (the balancer's /mcp); empty: REST only")
	key := flag.String("key", "", "API key")
	rate := flag.Float64("rate", 100, "requests per second")
	mcpEvery := flag.Int("mcp-every", 10, "every Nth request is an MCP tools/call")
	maxDur := flag.Duration("max-duration", 3*time.Minute, "stop after this long at the latest")
	maxReq := flag.Int("max-requests", 50000, "stop after this many requests at the latest")
	maxInflight := flag.Int("max-inflight", 64, "requests in flight at most; beyond, a slot is skipped and counted")
	flag.Parse()
	if *rest == "" || *rate <= 0 || *maxDur <= 0 || *maxDur > 10*time.Minute || *mcpEvery < 1 {
		return errors.New("need -rest, a positive -rate, -mcp-every >= 1 and a -max-duration of at most 10m")
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &keyed{key: *key, base: &http.Transport{DisableKeepAlives: true}}}
	ctx, cancel := context.WithTimeout(context.Background(), *maxDur)
	defer cancel()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }() // stdin closed: stop

	var session *sdk.ClientSession
	if *mcpURL != "" {
		c := sdk.NewClient(&sdk.Implementation{Name: "clustergate-fleet-loadgen", Version: "1"}, nil)
		s, err := c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: *mcpURL, HTTPClient: hc}, nil)
		if err != nil {
			return fmt.Errorf("mcp connect: %w", err)
		}
		defer s.Close()
		session = s
	}
	sum := Summary{Failures: map[string]int{}, ByUpstream: map[string]int{}}
	if session != nil && session.InitializeResult() != nil {
		sum.MCPVersion = session.InitializeResult().ProtocolVersion
	}
	var mu sync.Mutex
	record := func(mcp bool, upstream string, err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil && mcp:
			sum.MCPFailed++
		case err != nil:
			sum.Failed++
		case mcp:
			sum.MCPOK++
		default:
			sum.OK++
		}
		if err != nil {
			msg := err.Error()
			sum.Failures[msg[:min(len(msg), 200)]]++
		}
		if upstream != "" {
			sum.ByUpstream[upstream]++
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, *maxInflight)
	interval := time.Duration(float64(time.Second) / *rate)
	start := time.Now()
	// Requests run on their own context: stopping the schedule must not
	// cancel (and so fail) the ones in flight.
	reqCtx := context.Background()
	for i := 0; i < *maxReq && ctx.Err() == nil; i++ {
		time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
		select {
		case sem <- struct{}{}:
		default:
			sum.Skipped++
			continue
		}
		sum.Sent++
		wg.Go(func() {
			defer func() { <-sem }()
			if session != nil && i%*mcpEvery == 0 {
				record(true, "", callTool(reqCtx, session))
				return
			}
			up, err := get(reqCtx, hc, *rest+"/v1/1-0/cluster")
			record(false, up, err)
		})
	}
	wg.Wait()
	sum.Seconds = time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(sum)
}

// get GETs url and wants a 200; it returns the replica nginx chose.
func get(ctx context.Context, hc *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	up := resp.Header.Get("X-Upstream")
	if resp.StatusCode != http.StatusOK {
		return up, fmt.Errorf("GET %s: %d from %q: %.120s", url, resp.StatusCode, up, strings.TrimSpace(string(body)))
	}
	return up, nil
}

// callTool calls a read-only tool (served by the Incus sandbox) and wants a
// result that is not an error.
func callTool(ctx context.Context, s *sdk.ClientSession) error {
	res, err := s.CallTool(ctx, &sdk.CallToolParams{Name: "get-cluster-configuration"})
	if err != nil {
		return fmt.Errorf("mcp tools/call: %w", err)
	}
	if res.IsError {
		var b strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*sdk.TextContent); ok {
				b.WriteString(tc.Text)
			}
		}
		return fmt.Errorf("mcp tools/call: tool error: %.120s", b.String())
	}
	return nil
}

// keyed adds the API key to every request.
type keyed struct {
	key  string
	base http.RoundTripper
}

func (k *keyed) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+k.key)
	return k.base.RoundTrip(r)
}
