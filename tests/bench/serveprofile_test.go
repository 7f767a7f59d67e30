package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

// TestServeProfile takes CPU profiles of `clustergate serve` as its own
// process (through --pprof-addr) while closed-loop clients send GET member
// against the fast upstream, at concurrency 1 and 8, and writes them as
// serve-c1.cpu and serve-c8.cpu into CLUSTERGATE_BENCH_SERVE_PROFILE (a
// directory); `make bench` quotes them. The in-process profiles
// (BenchmarkHandler) leave out what a served request costs around the
// handler chain: net/http's server side, the scheduler, the collector.
// Skipped without the variable.
func TestServeProfile(t *testing.T) {
	dir := os.Getenv("CLUSTERGATE_BENCH_SERVE_PROFILE")
	if dir == "" {
		t.Skip("set CLUSTERGATE_BENCH_SERVE_PROFILE=<dir> (make bench does) to profile the served process")
	}
	up, err := benchkit.StartFakeIncus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(up.Close)
	cg, _ := Binaries(t)
	p, rest, _ := serve(t, cg, up.Socket, "CLUSTERGATE_PPROF_ADDR=127.0.0.1:0")
	var started struct{ Pprof string }
	if err := json.Unmarshal([]byte(findLine(p.logPth, `"msg":"clustergate listening"`)), &started); err != nil || started.Pprof == "" {
		t.Fatalf("no pprof address in the start-up line (%v)", err)
	}
	gate := &benchkit.Endpoint{Name: "clustergate", Base: rest, Client: benchkit.TCPClient(), Facade: true, Gate: true,
		Header: http.Header{"Authorization": {"Bearer " + benchkit.BenchKey}}}
	for _, conc := range []int{1, Concurrency} {
		n, failed := profileUnderLoad(t, gate, conc, "http://"+started.Pprof, filepath.Join(dir, fmt.Sprintf("serve-c%d.cpu", conc)))
		t.Logf("c=%d: %d requests while profiling (warm-up included), %d failed", conc, n, failed)
		if failed > 0 || n == 0 {
			t.Errorf("c=%d: %d of %d requests failed: the profile is not of served requests", conc, failed, n)
		}
	}
}

// profileUnderLoad keeps conc clients sending GET member while it fetches
// a 5 s CPU profile into out; it returns the requests sent and failed.
func profileUnderLoad(t *testing.T, gate *benchkit.Endpoint, conc int, pprofBase, out string) (int64, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	op := benchkit.GetMember("bench1")
	var n, failed atomic.Int64
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := gate.Do(ctx, op); err != nil && ctx.Err() == nil {
					failed.Add(1)
				}
				n.Add(1)
			}
		})
	}
	defer wg.Wait()
	defer cancel()
	time.Sleep(500 * time.Millisecond) // warm: connections, the upstream client
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pprofBase+"/debug/pprof/profile?seconds=5", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("CPU profile: %d %v", res.StatusCode, err)
	}
	if err := os.WriteFile(out, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return n.Load(), failed.Load()
}
