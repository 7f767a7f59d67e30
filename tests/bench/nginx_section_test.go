package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// Targets of the nginx comparison (issue 13).
const (
	P99Target        = 1.5 // clustergate p99 over nginx's
	CPUTarget        = 2.0 // CPU per request over nginx's
	ThroughputTarget = 0.8 // throughput at c=8 over nginx's (at least)
)

// nginxUpstream is one upstream the nginx section measures against.
type nginxUpstream struct {
	name, socket, member string
	put, patch           []byte
}

// restNginx measures clustergate (`clustergate serve`, its own process)
// against nginx as a plain reverse proxy (its own process, one worker,
// keep-alive to the upstream socket), arms interleaved, on the fast
// upstream and on a real Incus 6.0, with each process's CPU per request.
func restNginx(t *testing.T, r *Report) {
	cg, _ := Binaries(t)
	f := fakeUpstream(t)
	ups := []nginxUpstream{{"fast upstream (in-process fake)", f.Socket, f.Members[0], benchkit.FakePutBody, benchkit.FakePatchBody}}
	sec := r.add(&Section{Title: "REST overhead — against nginx",
		Intro: "Arms: **nginx** — Debian's nginx-light as a plain reverse proxy (one process, `master_process off`, " +
			"`upstream { server unix:…; keepalive 32; }`, HTTP/1.1 upstream, no access log), mapping the facade paths onto " +
			"the upstream's; **clustergate** — `clustergate serve` as its own process (API key on, rate limit off, sandbox off). " +
			"PATCH member is one request to clustergate (read, merge, write, read back) and three proxied calls through nginx " +
			"(GET, PUT, GET). Every answer's status is checked before its latency counts. CPU per request is each process's CPU " +
			"time (user and system, all threads) over its arm's requests: the sum of `/proc/<pid>/task/*/schedstat` (nanoseconds), or " +
			"`/proc/<pid>/stat` utime+stime (10 ms ticks) where the kernel lacks schedstat."})
	if err := lxdtest.Incus.Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		sec.Notes = append(sec.Notes, fmt.Sprintf("Real Incus 6.0 not measured: %v.", err))
	} else {
		d := lxdtest.Incus.Start(t)
		ups = append(ups, nginxUpstream{"real Incus 6.0", d.Socket, d.Name, lxdPutBody(t, d), []byte(`{"description":"bench"}`)})
	}
	for _, up := range ups {
		ng := StartNginx(t, up.socket)
		p, rest, _ := serve(t, cg, up.socket)
		gate := &benchkit.Endpoint{Name: "clustergate", Base: rest, Client: benchkit.TCPClient(), Facade: true, Gate: true,
			Header: http.Header{"Authorization": {"Bearer " + benchkit.BenchKey}}}
		for _, conc := range []int{1, Concurrency} {
			per := map[int]int{1: 400, Concurrency: 1200}[conc]
			if up.name == "real Incus 6.0" {
				per /= 4
			}
			plan := sizes(r, conc, 4, per)
			tbl := &Table{Caption: fmt.Sprintf("%s, concurrency %d (%d rounds × %d requests per arm)", up.name, conc, plan.Rounds, plan.PerRound),
				Short: fmt.Sprintf("%s c=%d", up.name, conc), Head: []string{"nginx (baseline)", "clustergate"}}
			for _, op := range []benchkit.Op{benchkit.GetMember(up.member), benchkit.GetMembers(), benchkit.PatchMember(up.member, up.patch)} {
				nginxArm := Arm{Name: "nginx", Do: func(ctx context.Context) error { return ng.Endpoint.Do(ctx, op) }}
				if op.Method == http.MethodPatch {
					nginxArm.Do = readWriteRead(ng.Endpoint, up.member, up.put)
				}
				gateArm := Arm{Name: "clustergate", Do: func(ctx context.Context) error { return gate.Do(ctx, op) }}
				cpu0, _ := cpuOf(t, ng.PID, p.pid())
				res := Compare(context.Background(), plan, nginxArm, gateArm)
				cpu1, precise := cpuOf(t, ng.PID, p.pid())
				rows := restRows(op.Name, []*benchkit.Endpoint{ng.Endpoint, gate}, res, "nginx")
				rows[1].Target, rows[1].Met = fmt.Sprintf("≤ %.1f×", P99Target), met(rows[1].Ratio <= P99Target)
				if conc == Concurrency {
					rows[2].Target, rows[2].Met = fmt.Sprintf("≥ %.1f×", ThroughputTarget), met(rows[2].Ratio >= ThroughputTarget)
				}
				rows = append(rows, cpuRow(op.Name, plan, res, cpu1[0]-cpu0[0], cpu1[1]-cpu0[1], precise))
				tbl.Rows = append(tbl.Rows, rows...)
				firstErrors(sec, fmt.Sprintf("%s, %s at concurrency %d", up.name, op.Name, conc), res)
			}
			sec.Tables = append(sec.Tables, tbl)
		}
	}
}

// readWriteRead is what a plain proxy costs for a PATCH: the caller reads,
// writes the merged member and reads it back, three proxied calls.
func readWriteRead(ep *benchkit.Endpoint, member string, put []byte) func(context.Context) error {
	get, write := benchkit.GetMember(member), benchkit.PutMember(member, put)
	return func(ctx context.Context) error {
		for _, op := range []benchkit.Op{get, write, get} {
			if err := ep.Do(ctx, op); err != nil {
				return err
			}
		}
		return nil
	}
}

// cpuOf reads each process's CPU time; precise is false when any of them
// could only be read in 10 ms ticks.
func cpuOf(tb testing.TB, pids ...int) (out []time.Duration, precise bool) {
	tb.Helper()
	out, precise = make([]time.Duration, len(pids)), true
	for i, pid := range pids {
		d, p, err := benchkit.CPUTime(pid)
		if err != nil {
			tb.Fatal(err)
		}
		out[i], precise = d, precise && p
	}
	return out, precise
}

// cpuRow is CPU time per request of each process over its arm's requests
// (warm-up included: it ran in the measured window too).
func cpuRow(label string, p Plan, res map[string]*Sample, nginxCPU, gateCPU time.Duration, precise bool) Row {
	per := func(d time.Duration, s *Sample) float64 {
		return float64(d.Microseconds()) / float64(s.N()+s.Errors+p.Warm)
	}
	n, g := per(nginxCPU, res["nginx"]), per(gateCPU, res["clustergate"])
	row := Row{Label: label + " — CPU per request", Values: []string{fmt.Sprintf("%.0f µs", n), fmt.Sprintf("%.0f µs", g)},
		Target: fmt.Sprintf("≤ %.0f×", CPUTarget), Why: "nginx-cpu"}
	// /proc/<pid>/stat counts 10 ms ticks: read that way, with fewer than
	// minTicks on either side the ratio would be mostly rounding, so none is
	// claimed.
	if !precise && (nginxCPU < minTicks*10*time.Millisecond || gateCPU < minTicks*10*time.Millisecond) {
		row.Values = append(row.Values[:0], fmt.Sprintf("%.0f µs (%d ticks)", n, nginxCPU/(10*time.Millisecond)),
			fmt.Sprintf("%.0f µs (%d ticks)", g, gateCPU/(10*time.Millisecond)))
		row.Ratio, row.Target = nan(), "— (too few ticks)"
		return row
	}
	row.Ratio = ratio(g, n)
	row.Met = met(row.Ratio <= CPUTarget)
	return row
}

// minTicks is the fewest CPU ticks a CPU-per-request ratio is drawn from.
const minTicks = 20
