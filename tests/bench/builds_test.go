package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

// TestCompareBuilds runs several builds of `clustergate serve` side by side
// (processes on loopback, one fast upstream, the reverse proxy process as
// the floor), interleaving rounds across them, so that a change can be
// judged against the build before it under the same machine load:
//
//	CLUSTERGATE_BENCH_BUILDS=before=/tmp/a/clustergate,after=/tmp/b/clustergate \
//	  go test -count=1 -run TestCompareBuilds -v ./tests/bench/
//
// It logs a Markdown table (and writes it to CLUSTERGATE_BENCH_BUILDS_OUT
// when set). Skipped without CLUSTERGATE_BENCH_BUILDS.
func TestCompareBuilds(t *testing.T) {
	spec := os.Getenv("CLUSTERGATE_BENCH_BUILDS")
	if spec == "" {
		t.Skip("set CLUSTERGATE_BENCH_BUILDS=name=binary,name=binary to compare builds")
	}
	_, aux := Binaries(t)
	up := fakeUpstream(t)
	type build struct {
		name, bin string
		p         *proc
		ep        *benchkit.Endpoint
		mcp       *sdk.ClientSession
	}
	var builds []*build
	for _, kv := range strings.Split(spec, ",") {
		name, bin, ok := strings.Cut(kv, "=")
		if !ok {
			t.Fatalf("CLUSTERGATE_BENCH_BUILDS: %q is not name=binary", kv)
		}
		p, rest, mcpURL := serve(t, bin, up.Socket)
		b := &build{name: name, bin: bin, p: p, ep: &benchkit.Endpoint{Name: name, Base: rest, Client: benchkit.TCPClient(),
			Facade: true, Gate: true, Header: map[string][]string{"Authorization": {"Bearer " + benchkit.BenchKey}}}}
		b.mcp, _ = mcpSessionCounted(t, mcpURL)
		builds = append(builds, b)
	}
	time.Sleep(2 * time.Second)
	var out strings.Builder
	fmt.Fprintf(&out, "Builds side by side on %s (load %s at start)\n\n", time.Now().UTC().Format(time.RFC3339), LoadAvg())
	head := []string{"proxy"}
	for _, b := range builds {
		head = append(head, b.name)
	}
	row := func(label string, cells ...string) {
		fmt.Fprintf(&out, "| %s | %s |\n", label, strings.Join(cells, " | "))
	}
	fmt.Fprintf(&out, "| idle RSS | %s |\n|%s\n", strings.Join(head[1:], " | "), strings.Repeat("---|", len(head)))
	var rss []string
	for _, b := range builds {
		v, _ := VmRSSOf(b.p)
		rss = append(rss, MB(v))
	}
	row("VmRSS 2 s after start", rss...)
	out.WriteString("\n")

	_, pxURL := proxyProc(t, aux, up.Socket)
	px := &benchkit.Endpoint{Name: "proxy", Base: pxURL, Client: benchkit.TCPClient(), Facade: true}
	eps := []*benchkit.Endpoint{px}
	for _, b := range builds {
		eps = append(eps, b.ep)
	}
	fmt.Fprintf(&out, "| request (p50; × proxy; failed) | %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)+1))
	ctx := context.Background()
	for _, conc := range []int{Concurrency, 1} {
		for _, op := range []benchkit.Op{benchkit.GetMembers(), benchkit.GetCluster(), benchkit.PutMember(up.Members[0], benchkit.FakePutBody)} {
			p := Plan{Conc: conc, Warm: 100, Rounds: 5, PerRound: map[int]int{Concurrency: 1000, 1: 300}[conc], MaxRound: 30 * time.Second}
			res := Compare(ctx, p, arms(eps, op)...)
			base := res["proxy"].P50()
			var cells []string
			for _, ep := range eps {
				s := res[ep.Name]
				cells = append(cells, fmt.Sprintf("%s; %.2f×; %d", Ms(s.P50()), ratio(float64(s.P50()), float64(base)), s.Errors))
			}
			row(fmt.Sprintf("c=%d %s", conc, op.Name), cells...)
		}
	}
	out.WriteString("\n")

	fmt.Fprintf(&out, "| MCP, one call at a time (p50) | %s |\n|%s\n", strings.Join(head[1:], " | "), strings.Repeat("---|", len(head)))
	var mcpArms []Arm
	for _, b := range builds {
		mcpArms = append(mcpArms,
			Arm{Name: b.name + " rest", Do: func(ctx context.Context) error { return b.ep.Do(ctx, benchkit.GetMembers()) }},
			Arm{Name: b.name + " mcp", Do: func(ctx context.Context) error { return callTool(ctx, b.mcp, "get-cluster-members-2", nil) }})
	}
	res := Compare(ctx, Plan{Conc: 1, Warm: 50, Rounds: 5, PerRound: 300, MaxRound: 30 * time.Second}, mcpArms...)
	var cells []string
	for _, b := range builds {
		r, m := res[b.name+" rest"], res[b.name+" mcp"]
		cells = append(cells, fmt.Sprintf("REST %s, tools/call %s: %.2f× (failed %d)", Ms(r.P50()), Ms(m.P50()), ratio(float64(m.P50()), float64(r.P50())), r.Errors+m.Errors))
	}
	row("get-cluster-members-2 vs GET members-recursion-1", cells...)
	out.WriteString("\n")

	fmt.Fprintf(&out, "| start-up, `mcp` over stdio (median of 10) | %s |\n|%s\n", strings.Join(head[1:], " | "), strings.Repeat("---|", len(head)))
	wall := map[string][]time.Duration{}
	cpu := map[string][]time.Duration{}
	for i := 0; i < 11; i++ {
		for j := range builds {
			b := builds[(i+j)%len(builds)]
			w, c, err := startToToolsList(ctx, []string{b.bin, "mcp"}, append(EnvList(GateEnv(up.Socket)), "CLUSTERGATE_MCP_KEY="+benchkit.BenchKey))
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 {
				wall[b.name], cpu[b.name] = append(wall[b.name], w), append(cpu[b.name], c)
			}
		}
	}
	cells = nil
	for _, b := range builds {
		cells = append(cells, fmt.Sprintf("wall %s, CPU %s", Ms(median(wall[b.name])), Ms(median(cpu[b.name]))))
	}
	row("start → first tools/list", cells...)
	fmt.Fprintf(&out, "\nload at end %s\n", LoadAvg())
	t.Log("\n" + out.String())
	if p := os.Getenv("CLUSTERGATE_BENCH_BUILDS_OUT"); p != "" {
		if err := os.WriteFile(p, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
