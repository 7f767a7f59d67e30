package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

// Absolute targets, issue 13's: stdio start to the first tools/list, and
// idle RSS of serve as deployed (sandbox off) and with the sandboxes.
const (
	StartupTarget        = 60 * time.Millisecond
	IdleRSSTarget        = 40 << 20
	IdleRSSSandboxTarget = 45 << 20
)

func jsonObject(raw []byte) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(err)
	}
	return m
}

func mustMarshal(tb testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func fakeUpstream(tb testing.TB) *benchkit.FakeIncus {
	tb.Helper()
	up, err := benchkit.StartFakeIncus()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(up.Close)
	return up
}

func startupSection(t *testing.T, r *Report) {
	cg, aux := Binaries(t)
	coldBinaries(t, cg, aux)
	up := fakeUpstream(t)
	env := []string{"INCUS_SOCKET=" + up.Socket, "CLUSTERGATE_SANDBOX=false"}
	envDefault := []string{"INCUS_SOCKET=" + up.Socket}
	runs := 15
	if r.Quick {
		runs = 4
	}
	ctx := context.Background()
	version := func() (time.Duration, time.Duration, error) {
		cmd := exec.Command(cg, "version")
		t0 := time.Now()
		err := cmd.Run()
		wall := time.Since(t0)
		return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), err
	}
	arms := []struct {
		name string
		run  func() (time.Duration, time.Duration, error)
	}{
		{"minimal", func() (time.Duration, time.Duration, error) {
			return startToToolsList(ctx, []string{aux, "mcpmin"}, env)
		}},
		{"version", version},
		{"clustergate", func() (time.Duration, time.Duration, error) { return startToToolsList(ctx, []string{cg, "mcp"}, env) }},
		{"sandbox", func() (time.Duration, time.Duration, error) {
			return startToToolsList(ctx, []string{cg, "mcp"}, envDefault)
		}},
	}
	got := map[string][]time.Duration{}
	cpu := map[string][]time.Duration{}
	for i := -1; i < runs; i++ { // run -1 warms the page cache and is dropped
		for j := range arms {
			a := arms[(i+1+j)%len(arms)]
			d, c, err := a.run()
			if err != nil {
				t.Fatalf("%s: %v", a.name, err)
			}
			if i >= 0 {
				got[a.name] = append(got[a.name], d)
				cpu[a.name] = append(cpu[a.name], c)
			}
		}
	}
	cpuMed := func(n string) time.Duration { return median(cpu[n]) }
	row := func(label, arm, why string) []Row {
		med, base := median(got[arm]), median(got["minimal"])
		return []Row{
			{Label: label + ": start → first tools/list (wall), median", Values: []string{Ms(base), Ms(median(got["version"])), Ms(med)},
				Ratio: ratio(float64(med), float64(base)), Target: "≤ 60 ms", Met: met(med <= StartupTarget), Why: why},
			{Label: label + ": fastest / slowest (wall)", Values: []string{
				Ms(slices.Min(got["minimal"])) + " / " + Ms(slices.Max(got["minimal"])),
				Ms(slices.Min(got["version"])) + " / " + Ms(slices.Max(got["version"])),
				Ms(slices.Min(got[arm])) + " / " + Ms(slices.Max(got[arm]))},
				Ratio: ratio(float64(slices.Max(got[arm])), float64(slices.Max(got["minimal"])))},
			{Label: label + ": CPU time used (user + system), median", Values: []string{Ms(cpuMed("minimal")), Ms(cpuMed("version")), Ms(cpuMed(arm))},
				Ratio: ratio(float64(cpuMed(arm)), float64(cpuMed("minimal")))},
		}
	}
	rows := append(row("as deployed (`CLUSTERGATE_SANDBOX=false`)", "clustergate", "startup"),
		row("default (Portworx and CAPI, unconfigured, served from the sandbox)", "sandbox", "startup-sandbox")...)
	r.add(&Section{Title: "Start-up (stdio MCP)",
		Intro: fmt.Sprintf("Time from starting the process to the first `tools/list` answer over stdio: the Go SDK client's "+
			"`CommandTransport` starts the binary, initializes the session and lists the tools. `clustergate mcp` is built as "+
			"`make build` builds it (static, `-trimpath -s -w`) with an Incus socket configured (the stack is built, no "+
			"upstream is contacted), once as the Helm chart deploys it (sandbox off) and once with the defaults, where the "+
			"two surfaces left unconfigured are served from the in-memory sandbox (as in the README's Claude Desktop example, "+
			"which configures no Cluster API). Baseline: the smallest Go SDK stdio server (`benchaux mcpmin`, one tool). "+
			"`clustergate version` (start, package initialisation, print, exit) shows what the binary costs before any "+
			"clustergate code runs. %d runs per arm, interleaved, after one dropped warm-up run each. Wall time is what a "+
			"client waits and what the target is about; the CPU time the process used (user + system, from start to its exit "+
			"right after the answer) does not depend on how busy the machine is: wall time well above it means the process "+
			"was waiting for a CPU. "+coldNote, runs),
		Tables: []*Table{{Head: []string{"minimal SDK server (baseline)", "`clustergate version`", "`clustergate mcp`"}, Rows: rows}}})
}

// proc is a process the suite started; stop ends it (SIGTERM, then SIGKILL).
type proc struct {
	cmd    *exec.Cmd
	done   chan struct{}
	logPth string
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM and waits up to timeout, then SIGKILLs; it returns how
// long the process took to exit after SIGTERM and its exit error.
func (p *proc) stop(timeout time.Duration) (time.Duration, error) {
	select {
	case <-p.done:
		return 0, fmt.Errorf("had already exited: %s", p.cmd.ProcessState)
	default:
	}
	t0 := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.cmd.ProcessState.Success() {
			return time.Since(t0), nil
		}
		return time.Since(t0), fmt.Errorf("exit: %s", p.cmd.ProcessState)
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return time.Since(t0), fmt.Errorf("no exit %v after SIGTERM: killed", timeout)
	}
}

func start(tb testing.TB, argv []string, env []string) *proc {
	tb.Helper()
	logf, err := os.CreateTemp("", "cgbench-proc-")
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = logf
	p := &proc{cmd: cmd, done: make(chan struct{}), logPth: logf.Name()}
	return p.run(tb, logf)
}

func (p *proc) run(tb testing.TB, logf *os.File) *proc {
	if err := p.cmd.Start(); err != nil {
		logf.Close()
		tb.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); logf.Close(); close(p.done) }()
	tb.Cleanup(func() {
		_, _ = p.stop(10 * time.Second)
		_ = os.Remove(p.logPth)
	})
	return p
}

// serve starts `clustergate serve` on free loopback ports and waits until it
// logs its addresses; it returns the REST and MCP base URLs.
func serve(tb testing.TB, bin string, socket string, extraEnv ...string) (*proc, string, string) {
	tb.Helper()
	p := start(tb, []string{bin, "serve", "--http-addr", "127.0.0.1:0", "--mcp-addr", "127.0.0.1:0"},
		append(EnvList(GateEnv(socket)), extraEnv...))
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if line := findLine(p.logPth, `"msg":"clustergate listening"`); line != "" {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				tb.Fatal(err)
			}
			return p, "http://" + fmt.Sprint(m["http"]), "http://" + fmt.Sprint(m["mcp"]) + "/mcp"
		}
		select {
		case <-p.done:
			b, _ := os.ReadFile(p.logPth)
			tb.Fatalf("clustergate serve exited: %s", b)
		case <-time.After(20 * time.Millisecond):
		}
	}
	tb.Fatal("clustergate serve did not log its addresses in 20s")
	return nil, "", ""
}

func findLine(path, needle string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), needle) {
			return sc.Text()
		}
	}
	return ""
}

// proxyProc starts the reverse proxy as its own process (benchaux proxy).
func proxyProc(tb testing.TB, aux, socket string) (*proc, string) {
	tb.Helper()
	logf, err := os.CreateTemp("", "cgbench-proc-")
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(aux, "proxy", "-listen", "127.0.0.1:0", "-socket", socket)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := (&proc{cmd: cmd, done: make(chan struct{}), logPth: logf.Name()}).run(tb, logf)
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		return p, "http://" + a
	case <-time.After(10 * time.Second):
		tb.Fatal("proxy did not print its address")
	}
	return nil, ""
}

func rssSection(t *testing.T, r *Report) {
	cg, aux := Binaries(t)
	coldBinaries(t, cg, aux)
	up := fakeUpstream(t)
	cgp, cgURL, _ := serve(t, cg, up.Socket)
	sbp, _, _ := serve(t, cg, up.Socket, "CLUSTERGATE_SANDBOX=true")
	pxp, pxURL := proxyProc(t, aux, up.Socket)
	time.Sleep(2 * time.Second) // settle after start
	type figures struct{ idle, load, after int64 }
	var cgF, pxF figures
	var errs [2]int
	var err error
	if cgF.idle, err = VmRSSOf(cgp); err != nil {
		t.Fatal(err)
	}
	if pxF.idle, err = VmRSSOf(pxp); err != nil {
		t.Fatal(err)
	}
	sbIdle, err := VmRSSOf(sbp)
	if err != nil {
		t.Fatal(err)
	}
	sbAnon, _ := benchkit.ProcStatus(sbp.pid(), "RssAnon:")
	heapIdle, _ := benchkit.Scrape(context.Background(), cgURL+"/metrics", "go_memstats_heap_inuse_bytes", "go_memstats_sys_bytes")
	anon, _ := benchkit.ProcStatus(cgp.pid(), "RssAnon:")
	file, _ := benchkit.ProcStatus(cgp.pid(), "RssFile:")
	pxAnon, _ := benchkit.ProcStatus(pxp.pid(), "RssAnon:")
	pxFile, _ := benchkit.ProcStatus(pxp.pid(), "RssFile:")
	cgSize, pxSize := fileSize(cg), fileSize(aux)
	n := 8000
	if r.Quick {
		n = 1000
	}
	for i, c := range []struct {
		p  *proc
		ep *benchkit.Endpoint
		f  *figures
	}{
		{pxp, &benchkit.Endpoint{Name: "proxy", Base: pxURL, Client: benchkit.TCPClient(), Facade: true}, &pxF},
		{cgp, &benchkit.Endpoint{Name: "clustergate", Base: cgURL, Client: benchkit.TCPClient(), Facade: true, Gate: true,
			Header: map[string][]string{"Authorization": {"Bearer " + benchkit.BenchKey}}}, &cgF},
	} {
		stopSampling := make(chan struct{})
		peak := make(chan int64, 1)
		go func() {
			var mx int64
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				if v, err := VmRSSOf(c.p); err == nil && v > mx {
					mx = v
				}
				select {
				case <-stopSampling:
					peak <- mx
					return
				case <-tick.C:
				}
			}
		}()
		put := benchkit.PutMember(up.Members[0], benchkit.FakePutBody)
		var k atomic.Int64
		s := Closed(context.Background(), Concurrency, n, 30*time.Second, func(ctx context.Context) error {
			if k.Add(1)%4 == 3 {
				return c.ep.Do(ctx, put)
			}
			return c.ep.Do(ctx, benchkit.GetMembers())
		})
		errs[i] = s.Errors
		close(stopSampling)
		c.f.load = <-peak
	}
	time.Sleep(3 * time.Second)
	cgF.after, _ = VmRSSOf(cgp)
	pxF.after, _ = VmRSSOf(pxp)
	sec := r.add(&Section{Title: "Resident memory (`clustergate serve`)",
		Intro: fmt.Sprintf("VmRSS from `/proc/PID/status` of the built binary `clustergate serve` (as `make build` builds it) "+
			"with the fast upstream configured as Incus, as the Helm chart deploys it (`CLUSTERGATE_SANDBOX=false`) and, idle only, "+
			"with the defaults (the two unconfigured surfaces served from the in-memory sandbox), next to the plain reverse proxy run as its own process (`benchaux proxy`, "+
			"`httputil.ReverseProxy`, same upstream). Idle: 2 s after start, no request served yet. Under load: the peak of "+
			"samples every 100 ms while %d requests (3 GET members-recursion-1 : 1 PUT member) are sent at concurrency %d. "+
			"After: 3 s after the load stopped. "+coldNote, n, Concurrency),
		Tables: []*Table{{Head: []string{"reverse proxy process (baseline)", "clustergate serve"}, Rows: []Row{
			{Label: "idle, as deployed (sandbox off)", Values: []string{MB(pxF.idle), MB(cgF.idle)}, Ratio: ratio(float64(cgF.idle), float64(pxF.idle)),
				Target: "≤ 40 MB", Met: met(cgF.idle <= IdleRSSTarget), Why: "rss"},
			{Label: "idle, defaults (Portworx and CAPI from the sandbox)", Values: []string{MB(pxF.idle), MB(sbIdle)}, Ratio: ratio(float64(sbIdle), float64(pxF.idle)),
				Target: "≤ 45 MB", Met: met(sbIdle <= IdleRSSSandboxTarget), Why: "rss-sandbox"},
			{Label: "under load (peak)", Values: []string{MB(pxF.load), MB(cgF.load)}, Ratio: ratio(float64(cgF.load), float64(pxF.load))},
			{Label: "after load", Values: []string{MB(pxF.after), MB(cgF.after)}, Ratio: ratio(float64(cgF.after), float64(pxF.after))},
		}}}})
	sec.Tables[0].Rows = append(sec.Tables[0].Rows,
		Row{Label: "idle: anonymous (RssAnon: heap, stacks)", Values: []string{MB(pxAnon), MB(anon)}, Ratio: ratio(float64(anon), float64(pxAnon))},
		Row{Label: "idle, defaults: anonymous (RssAnon)", Values: []string{MB(pxAnon), MB(sbAnon)}, Ratio: ratio(float64(sbAnon), float64(pxAnon))},
		Row{Label: "idle: file-backed (RssFile: binary pages touched)", Values: []string{MB(pxFile), MB(file)}, Ratio: ratio(float64(file), float64(pxFile))},
		Row{Label: "binary size (for reference)", Values: []string{MB(pxSize), MB(cgSize)}, Ratio: ratio(float64(cgSize), float64(pxSize))})
	if heapIdle != nil {
		sec.Notes = append(sec.Notes, fmt.Sprintf("clustergate idle, from its /metrics: Go heap in use %s (live data plus start-up garbage not yet collected), memory obtained from the OS by the Go runtime %s.",
			MB(int64(heapIdle["go_memstats_heap_inuse_bytes"])), MB(int64(heapIdle["go_memstats_sys_bytes"]))))
	}
	if errs[0]+errs[1] > 0 {
		sec.Notes = append(sec.Notes, fmt.Sprintf("Failed requests during the load: proxy %d, clustergate %d (see *What missed and why*).", errs[0], errs[1]))
	}
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// VmRSSOf reads a started process's VmRSS.
func VmRSSOf(p *proc) (int64, error) { return benchkit.VmRSS(p.pid()) }

// MB formats bytes.
func MB(b int64) string { return benchkit.MB(b) }

func codegenSection(t *testing.T, r *Report) {
	dir, err := os.MkdirTemp("", "cgbench-gen-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	root, _ := filepath.Abs(Root())
	// A copy of the working tree (without .git and bin): `make generate`
	// rewrites openapi/ and generated/, and the shared tree is left alone.
	cp := exec.Command("bash", "-c", `tar -C "$1" --exclude=./.git --exclude=./bin -cf - . | tar -C "$2" -xf -`, "copy", root, dir)
	if b, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("copy tree: %v: %s", err, b)
	}
	var times []time.Duration
	for i := 0; i < 2; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, "make", "generate")
		cmd.Dir = dir
		t0 := time.Now()
		b, err := cmd.CombinedOutput()
		d := time.Since(t0)
		cancel()
		if err != nil {
			t.Fatalf("make generate (run %d): %v: %s", i+1, err, b)
		}
		times = append(times, d)
	}
	diff := exec.Command("bash", "-c", `for p in openapi generated go.mod go.sum; do diff -rq "$1/$p" "$2/$p" || exit 1; done`, "diff", root, dir)
	same := diff.Run() == nil
	note := "The regenerated `openapi/`, `generated/`, `go.mod` and `go.sum` are identical to the working tree's: generation is reproducible."
	if !same {
		note = "The regenerated files differ from the working tree's (`make check-generated` would fail, or the tree was being edited during the run)."
	}
	r.add(&Section{Title: "Codegen (`make generate`)",
		Intro: "Wall time of `make generate` (specgen, then `go generate ./generated/...`, i.e. oapi-codegen per surface, then toolsgen), " +
			"run twice in a fresh copy of the working tree (`.git` and `bin` left out) so the shared tree is never rewritten. " +
			"The first run builds the generators for the new folder; the second is the warm figure. No target was set.",
		Tables: []*Table{{Head: []string{"first run (baseline)", "second run (warm)"}, Rows: []Row{
			{Label: "make generate", Values: []string{fmt.Sprintf("%.2f s", times[0].Seconds()), fmt.Sprintf("%.2f s", times[1].Seconds())},
				Ratio: ratio(times[1].Seconds(), times[0].Seconds())},
		}}},
		Notes: []string{note}})
}

// SoakSummary mirrors benchaux's loadgen output.
type SoakSummary struct {
	Scheduled, Sent, OK, Errors, Skipped, Late int
	ErrorKinds                                 map[string]int `json:"error_kinds"`
	Rate                                       float64
	P50Ms                                      float64        `json:"p50_ms"`
	P99Ms                                      float64        `json:"p99_ms"`
	MaxMs                                      float64        `json:"max_ms"`
	ByKind                                     map[string]int `json:"by_kind"`
	Seconds                                    float64
	Windows                                    []struct {
		StartS float64 `json:"start_s"`
		OK     int     `json:"ok"`
		Errors int     `json:"errors"`
		P50Ms  float64 `json:"p50_ms"`
		P99Ms  float64 `json:"p99_ms"`
	}
}

type soakSample struct {
	at         time.Duration
	phase      string
	rss, rssPM int64
	goroutines int
}

func soakSection(t *testing.T, r *Report) {
	dur, err := time.ParseDuration(envOr("CLUSTERGATE_BENCH_SOAK", "60s"))
	if err != nil || dur <= 0 || dur > 10*time.Minute {
		t.Fatalf("CLUSTERGATE_BENCH_SOAK must be a duration up to 10m: %v", err)
	}
	if r.Quick && os.Getenv("CLUSTERGATE_BENCH_SOAK") == "" {
		dur = 15 * time.Second
	}
	rate, err := strconv.ParseFloat(envOr("CLUSTERGATE_BENCH_SOAK_RATE", "300"), 64)
	if err != nil || rate <= 0 || rate > 5000 {
		t.Fatalf("CLUSTERGATE_BENCH_SOAK_RATE must be 1..5000: %v", err)
	}
	cg, aux := Binaries(t)
	up := fakeUpstream(t)
	p, restURL, mcpURL := serve(t, cg, up.Socket)
	every := 5 * time.Second
	if dur < 30*time.Second {
		every = 2 * time.Second
	}
	t0 := time.Now()
	sample := func(phase string) soakSample {
		s := soakSample{at: time.Since(t0).Round(100 * time.Millisecond), phase: phase}
		s.rss, _ = benchkit.VmRSS(p.pid())
		if m, err := benchkit.Scrape(context.Background(), restURL+"/metrics", "go_goroutines", "process_resident_memory_bytes"); err == nil {
			s.goroutines, s.rssPM = int(m["go_goroutines"]), int64(m["process_resident_memory_bytes"])
		} else {
			t.Errorf("scrape: %v", err)
		}
		return s
	}
	time.Sleep(time.Second)
	samples := []soakSample{sample("idle, before")}

	ctx, cancel := context.WithTimeout(context.Background(), dur+90*time.Second)
	defer cancel()
	lg := exec.CommandContext(ctx, aux, "loadgen", "-url", restURL, "-key", benchkit.BenchKey, "-rate", fmt.Sprint(rate),
		"-duration", dur.String(), "-mcp", mcpURL, "-mcp-every", "20", "-member", up.Members[0], "-window", (dur / 6).String())
	var stdout, stderr bytes.Buffer
	lg.Stdout, lg.Stderr = &stdout, &stderr
	if err := lg.Start(); err != nil {
		t.Fatal(err)
	}
	lgDone := make(chan error, 1)
	go func() { lgDone <- lg.Wait() }()
	tick := time.NewTicker(every)
	var lgErr error
loop:
	for {
		select {
		case lgErr = <-lgDone:
			break loop
		case <-tick.C:
			samples = append(samples, sample("load"))
		}
	}
	tick.Stop()
	if lgErr != nil {
		t.Fatalf("loadgen: %v: %s", lgErr, stderr.String())
	}
	time.Sleep(3 * time.Second) // the load generator's connections are gone
	samples = append(samples, sample("idle, after"))
	drain, stopErr := p.stop(40 * time.Second)

	var sum SoakSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("loadgen output: %v: %s", err, stdout.String())
	}
	sec := r.add(&Section{Title: "Soak",
		Intro: fmt.Sprintf("`clustergate serve` (the built binary) with the fast upstream, loaded from a **second process** "+
			"(`benchaux loadgen`, a Go load generator, over loopback) at a fixed rate of %.0f requests/s for %s, open loop "+
			"(a slow answer does not delay the next request; at most 256 in flight). Mix: GET members-recursion-1, GET cluster "+
			"and PUT member over REST with keep-alive, and every 20th request an MCP `tools/call get-cluster-members-2` on one "+
			"streamable-HTTP session. Every %s the suite scrapes clustergate's `/metrics` (`go_goroutines`, "+
			"`process_resident_memory_bytes`) and reads VmRSS from `/proc`.", rate, dur, every)})
	kinds := []string{}
	for k, v := range sum.ByKind {
		kinds = append(kinds, fmt.Sprintf("%s: %d", k, v))
	}
	slices.Sort(kinds)
	errKinds := []string{}
	for k, v := range sum.ErrorKinds {
		errKinds = append(errKinds, fmt.Sprintf("%d× `%s`", v, oneLine(k)))
	}
	slices.Sort(errKinds)
	load := &Table{Caption: "Load", Plain: true, Head: []string{"value"}, Rows: []Row{
		{Label: "offered rate / achieved", Values: []string{fmt.Sprintf("%.0f / %.1f requests/s", rate, sum.Rate)}},
		{Label: "scheduled / sent / answered OK / failed", Values: []string{fmt.Sprintf("%d / %d / %d / %d", sum.Scheduled, sum.Sent, sum.OK, sum.Errors)}},
		{Label: "skipped (in-flight cap) / sent > 5 ms late", Values: []string{fmt.Sprintf("%d / %d", sum.Skipped, sum.Late)}},
		{Label: "latency p50 / p99 / max", Values: []string{fmt.Sprintf("%.2f / %.2f / %.2f ms", sum.P50Ms, sum.P99Ms, sum.MaxMs)}},
		{Label: "requests by kind", Values: []string{strings.Join(kinds, "; ")}},
		{Label: "graceful stop after the soak (SIGTERM → exit)", Values: []string{fmt.Sprintf("%s, %v", Ms(drain), errOr(stopErr, "exit 0"))}},
	}}
	if len(errKinds) > 0 {
		load.Rows = append(load.Rows, Row{Label: "failures", Values: []string{strings.Join(errKinds, "; ")}})
	}
	win := &Table{Caption: "Latency over time", Plain: true, Head: []string{"answered OK", "failed", "p50", "p99"}}
	for _, w := range sum.Windows {
		win.Rows = append(win.Rows, Row{Label: fmt.Sprintf("from %.0f s", w.StartS),
			Values: []string{fmt.Sprint(w.OK), fmt.Sprint(w.Errors), fmt.Sprintf("%.2f ms", w.P50Ms), fmt.Sprintf("%.2f ms", w.P99Ms)}})
	}
	st := &Table{Caption: "Samples", Plain: true, Head: []string{"phase", "VmRSS", "process_resident_memory_bytes", "go_goroutines"}}
	for _, s := range samples {
		st.Rows = append(st.Rows, Row{Label: fmt.Sprintf("%.0f s", s.at.Seconds()),
			Values: []string{s.phase, MB(s.rss), MB(s.rssPM), fmt.Sprint(s.goroutines)}})
	}
	flat := flatness(samples, sum)
	sec.Tables = append(sec.Tables, flat, load, win, st)
}

func errOr(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

// flatness judges the soak: no failures; RSS and goroutines under load do
// not grow from the first third of the run to the last; goroutines come
// back to their idle count once the load is gone.
func flatness(s []soakSample, sum SoakSummary) *Table {
	// Samples of the first 10 s of load are the warm-up (connections,
	// pools, the heap growing to its working size): left out.
	var load []soakSample
	for _, x := range s {
		if x.phase == "load" && x.at-s[0].at > 10*time.Second {
			load = append(load, x)
		}
	}
	before, after := s[0], s[len(s)-1]
	third := max(len(load)/3, 1)
	med := func(xs []soakSample, f func(soakSample) float64) float64 {
		v := make([]float64, len(xs))
		for i, x := range xs {
			v[i] = f(x)
		}
		slices.Sort(v)
		if len(v) == 0 {
			return math.NaN()
		}
		return v[len(v)/2]
	}
	rss := func(x soakSample) float64 { return float64(x.rss) }
	gor := func(x soakSample) float64 { return float64(x.goroutines) }
	var first, last []soakSample
	if len(load) > 0 {
		first, last = load[:third], load[len(load)-third:]
	}
	maxRSS, maxG := before.rss, before.goroutines
	for _, x := range s {
		maxRSS, maxG = max(maxRSS, x.rss), max(maxG, x.goroutines)
	}
	rssGrowth := ratio(med(last, rss), med(first, rss))
	gGrowth := ratio(med(last, gor), med(first, gor))
	return &Table{Caption: "Verdict", Head: []string{"start", "end", "max"}, Rows: []Row{
		{Label: "failed requests", Values: []string{"—", fmt.Sprintf("%d of %d", sum.Errors, sum.Sent), "—"}, Ratio: math.NaN(),
			Target: "0", Met: met(sum.Errors == 0 && sum.Skipped == 0), Why: "soak-errors", Errors: sum.Errors,
			Sum: fmt.Sprintf("%d failed of %d sent", sum.Errors, sum.Sent)},
		{Label: "VmRSS: last third of the load vs first third after warm-up (medians)", Values: []string{MB(before.rss), MB(after.rss), MB(maxRSS)},
			Ratio: rssGrowth, Target: "≤ 1.10× (flat)", Met: met(rssGrowth <= 1.10), Why: "soak-rss",
			Sum: fmt.Sprintf("start %s, end %s, max %s", MB(before.rss), MB(after.rss), MB(maxRSS))},
		{Label: "goroutines: last third of the load vs first third after warm-up (medians)", Values: []string{fmt.Sprint(before.goroutines), fmt.Sprint(after.goroutines), fmt.Sprint(maxG)},
			Ratio: gGrowth, Target: "≤ 1.10× (flat)", Met: met(gGrowth <= 1.10), Why: "soak-goroutines",
			Sum: fmt.Sprintf("start %d, end %d, max %d", before.goroutines, after.goroutines, maxG)},
		{Label: "goroutines: idle after the load vs idle before", Values: []string{fmt.Sprint(before.goroutines), fmt.Sprint(after.goroutines), "—"},
			Ratio: ratio(float64(after.goroutines), float64(before.goroutines)), Target: "≤ before + 2", Met: met(after.goroutines <= before.goroutines+2), Why: "soak-goroutines",
			Sum: fmt.Sprintf("%d before → %d after", before.goroutines, after.goroutines)},
	}}
}

// coldNote says in a section's intro what coldBinaries does and why.
const coldNote = "The binaries are dropped from the page cache before the section (`posix_fadvise` DONTNEED), so the file-backed " +
	"part of RSS (RssFile) counts what the process reads and the kernel reads ahead for it: for the same binary it is 30–31 MB " +
	"that way, 36–37 MB just after the linker wrote the file, and 50 MB after a plain write() of the whole file (measured on " +
	"Linux 6.18: the kernel also maps cached pages around each page touched), a spread that says how the file got into the " +
	"page cache, not what clustergate needs."

// coldBinaries drops the binaries from the page cache (see coldNote).
func coldBinaries(tb testing.TB, paths ...string) {
	tb.Helper()
	for _, p := range paths {
		if err := dropPageCache(p); err != nil {
			tb.Fatal(err)
		}
	}
}

// dropPageCache writes path's dirty pages out, then asks the kernel to drop
// its cached pages (posix_fadvise POSIX_FADV_DONTNEED).
func dropPageCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	const dontNeed = 4 // POSIX_FADV_DONTNEED
	if _, _, errno := syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, dontNeed, 0, 0); errno != 0 {
		return fmt.Errorf("fadvise %s: %w", path, errno)
	}
	return nil
}
