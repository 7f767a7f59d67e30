package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

// TestCompareStartup measures what the start-up and resident-memory
// sections measure, for several builds side by side, each with the sandbox
// off (as the Helm chart deploys it) and with the defaults (the unconfigured
// surfaces from the sandbox), so that a start-up change is judged against the
// build before it under the same machine load:
//
//	CLUSTERGATE_BENCH_BUILDS=before=/tmp/a/clustergate,after=/tmp/b/clustergate \
//	  go test -count=1 -run TestCompareStartup -v ./tests/bench/
//
// The binaries are dropped from the page cache first (coldBinaries), so
// that every build starts from the same state: how a binary got into the
// page cache changes its RssFile by up to 20 MB (coldNote), which would
// otherwise decide the comparison. Idle RSS: every build's `serve` is started in the same round, read 2 s
// later (VmRSS and RssAnon), and stopped; start-up: `mcp` over stdio, start
// to the first tools/list answer, builds and settings in rotating order.
// CLUSTERGATE_BENCH_ROUNDS sets the rounds (default 7); the table gives
// medians and each build's ratio to the first one. Skipped without
// CLUSTERGATE_BENCH_BUILDS.
func TestCompareStartup(t *testing.T) {
	spec := os.Getenv("CLUSTERGATE_BENCH_BUILDS")
	if spec == "" {
		t.Skip("set CLUSTERGATE_BENCH_BUILDS=name=binary,name=binary to compare builds")
	}
	rounds := 7
	if n, err := strconv.Atoi(os.Getenv("CLUSTERGATE_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	type build struct{ name, bin string }
	var builds []build
	for _, kv := range strings.Split(spec, ",") {
		name, bin, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("CLUSTERGATE_BENCH_BUILDS: %q is not name=binary", kv)
		}
		builds = append(builds, build{name, bin})
	}
	for _, b := range builds {
		coldBinaries(t, b.bin)
	}
	up := fakeUpstream(t)
	settings := []struct {
		name       string
		serveExtra []string // after GateEnv, which turns the sandbox off
		stdio      []string // as the start-up section runs `mcp`
	}{
		{"sandbox off", nil, []string{"INCUS_SOCKET=" + up.Socket, "CLUSTERGATE_SANDBOX=false"}},
		{"defaults", []string{"CLUSTERGATE_SANDBOX=true"}, []string{"INCUS_SOCKET=" + up.Socket}},
	}
	key := func(b build, s string) string { return b.name + "/" + s }
	rss, anon := map[string][]time.Duration{}, map[string][]time.Duration{} // bytes, kept as Duration for median()
	wall, cpu := map[string][]time.Duration{}, map[string][]time.Duration{}
	for i := -1; i < rounds; i++ { // round -1 warms the page cache and is dropped
		type running struct {
			k string
			p *proc
		}
		var procs []running
		for _, b := range builds {
			for _, s := range settings {
				p, _, _ := serve(t, b.bin, up.Socket, append(s.serveExtra, "CLUSTERGATE_SHUTDOWN_DELAY=0s")...)
				procs = append(procs, running{key(b, s.name), p})
			}
		}
		time.Sleep(2 * time.Second)
		for _, r := range procs {
			v, err := VmRSSOf(r.p)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := benchkit.ProcStatus(r.p.pid(), "RssAnon:")
			if i >= 0 {
				rss[r.k], anon[r.k] = append(rss[r.k], time.Duration(v)), append(anon[r.k], time.Duration(a))
			}
		}
		var wg sync.WaitGroup
		for _, r := range procs {
			wg.Go(func() { _, _ = r.p.stop(10 * time.Second) })
		}
		wg.Wait()
		n := len(builds) * len(settings)
		for j := range n {
			b, s := builds[(i+1+j)%n/len(settings)], settings[(i+1+j)%n%len(settings)]
			w, c, err := startToToolsList(context.Background(), []string{b.bin, "mcp"}, s.stdio)
			if err != nil {
				t.Fatalf("%s: %v", key(b, s.name), err)
			}
			if i >= 0 {
				wall[key(b, s.name)], cpu[key(b, s.name)] = append(wall[key(b, s.name)], w), append(cpu[key(b, s.name)], c)
			}
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "Start-up and idle RSS, builds side by side, %d rounds interleaved, medians (ratio to %s); %s, load at end %s\n\n",
		rounds, builds[0].name, time.Now().UTC().Format(time.RFC3339), LoadAvg())
	fmt.Fprintf(&out, "| measure | setting |")
	for _, b := range builds {
		fmt.Fprintf(&out, " %s |", b.name)
	}
	fmt.Fprintf(&out, "\n|---|---|%s\n", strings.Repeat("---|", len(builds)))
	row := func(label string, m map[string][]time.Duration, show func(time.Duration) string) {
		for _, s := range settings {
			fmt.Fprintf(&out, "| %s | %s |", label, s.name)
			base := median(m[key(builds[0], s.name)])
			for _, b := range builds {
				v := median(m[key(b, s.name)])
				fmt.Fprintf(&out, " %s (%.2f×) |", show(v), ratio(float64(v), float64(base)))
			}
			out.WriteString("\n")
		}
	}
	mb := func(d time.Duration) string { return MB(int64(d)) }
	row("idle VmRSS (`serve`, 2 s after start)", rss, mb)
	row("idle RssAnon", anon, mb)
	row("`mcp` stdio start → first tools/list (wall)", wall, Ms)
	row("`mcp` stdio CPU (user+sys)", cpu, Ms)
	t.Log("\n" + out.String())
}
