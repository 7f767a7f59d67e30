package bench

import (
	"context"
	"testing"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

// TestAllocsPerRequest is the regression guard for the hot paths: it fails
// when a request allocates more than its recorded budget. It counts every
// heap allocation of one request through the whole echo chain (request id,
// access log, metrics, audit, key, rate limit, route tag, strict input,
// validator, handler, adapter, the Incus client and its transport) plus
// the in-process fake upstream's side, with testing.AllocsPerRun: counts
// are deterministic where times are not, so this runs with the ordinary
// tests.
//
// Recorded on 2026-11-29 (Go 1.26): GET member 223, GET
// members-recursion-1 272, after keep-alive to the upstream, one-pass
// decoding of reads, typed conversion and the middleware composed once per
// route; on main before that work 366 and 483 (BenchmarkHandler): a dial per
// request, a pretty-print, two JSON round trips and ~20 middleware
// closures per request. 2026-11-29, the unix socket transport of its own
// (adapters/incus/socket.go: no read/write loop goroutines, no per-request
// channels): 203 and 250. 2026-11-29, the validator's kin-openapi route
// found at start instead of by gorilla/mux per request, route keys on the
// stack, context values boxed once, kin's security check skipped without a
// body, and a bodiless request sent as http.NoBody as net/http serves one
// (it was an empty reader, a body to read): 174 and 228. 2026-11-29, the
// upstream's answers read into a pooled buffer and decoded with segmentio's
// drop-in for encoding/json (adapters/incus/decode.go): 163 and 214. The budgets
// leave ~12% headroom for Go and dependency updates; raise one only with
// a profile that says why
// (`go test ./tests/bench/ -run '^$' -bench '^BenchmarkHandler$' -benchmem -memprofile mem.out`).
func TestAllocsPerRequest(t *testing.T) {
	f := newFast(t)
	ctx := context.Background()
	for _, c := range []struct {
		op     benchkit.Op
		budget float64
	}{
		{benchkit.GetMember("bench1"), 183},
		{benchkit.GetMembers(), 240},
	} {
		t.Run(c.op.Name, func(t *testing.T) {
			var err error
			allocs := testing.AllocsPerRun(200, func() {
				if e := serveInProcess(ctx, f.gate, c.op); e != nil && err == nil {
					err = e
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%.0f allocations per request (budget %.0f)", allocs, c.budget)
			if allocs > c.budget {
				t.Errorf("%s allocates %.0f times per request, over its budget of %.0f", c.op.Name, allocs, c.budget)
			}
		})
	}
}
