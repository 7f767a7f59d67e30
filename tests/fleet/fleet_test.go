package fleet

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRollingRestartDropsNothing restarts every replica of a fleet, one
// after the other, under steady load through nginx, and wants 0 failed
// requests. What keeps it honest:
//   - nginx never retries another replica (proxy_next_upstream off) and the
//     load generator never reuses a connection, so no failure is hidden by
//     a retry on either hop;
//   - nginx learns that a replica leaves only from that replica's /readyz,
//     polled by an endpoints loop that knows nothing of the SIGTERM (as the
//     kubelet and the endpoints controller), and a replica joins again
//     only once its /readyz says 200;
//   - the load reaches every replica, and each stopping replica is seen
//     answering requests routed to it after its SIGTERM (the window a
//     listener closing at once would have refused);
//   - MCP tool calls (stateless mode, Go SDK client) go through the same
//     balancer during the whole run.
func TestRollingRestartDropsNothing(t *testing.T) {
	nginxBin(t) // skip (fail under CI) before building anything
	const n, delay = 3, 3 * time.Second
	flags := []string{"--mcp-stateless=true", "--shutdown-delay", delay.String(), "--shutdown-timeout", "10s"}
	var reps []*replica
	for range n {
		r := startReplica(t, flags...)
		waitStatus(t, "http://"+r.HTTP+"/readyz", 200, 10*time.Second)
		reps = append(reps, r)
	}
	lb := startNginx(t, reps)
	ep := watchEndpoints(t, lb, reps)
	load := startLoad(t, lb)
	time.Sleep(2 * time.Second) // steady state before the first stop

	everyone := slices.Clone(reps)
	for i, old := range slices.Clone(reps) {
		old.terminate(t)
		why := ep.waitRemoved(t, old, delay)
		assert.Equal(t, 503, why, "replica %d left the balancer because its /readyz said 503", i)
		require.NoError(t, old.waitExit(t, delay+15*time.Second), "replica %d exits 0:\n%s", i, old.logs)
		fresh := startReplica(t, flags...)
		everyone = append(everyone, fresh)
		ep.add(fresh)
		ep.waitAdded(t, fresh, 10*time.Second)
		time.Sleep(time.Second) // the new replica takes its share
	}
	time.Sleep(time.Second)
	sum := load.stop(t)
	t.Logf("load: %d sent, %d REST ok, %d MCP ok (protocol %s), %d failed (REST), %d failed (MCP), %d skipped, in %.1f s; nginx reloads: %d",
		sum.Sent, sum.OK, sum.MCPOK, sum.MCPVersion, sum.Failed, sum.MCPFailed, sum.Skipped, sum.Seconds, lb.reloads)

	assert.Zero(t, sum.Failed, "REST requests failed through the balancer: %v", sum.Failures)
	assert.Zero(t, sum.MCPFailed, "MCP tool calls failed through the balancer: %v", sum.Failures)
	assert.Greater(t, sum.OK, 1000, "a steady load")
	assert.Greater(t, sum.MCPOK, 100, "MCP tool calls went through during the restarts")
	assert.Equal(t, "2026-07-28", sum.MCPVersion,
		"stateless: the Go SDK client (v1.8.0) speaks the sessionless protocol a gateway can route on Mcp-Method")
	for i, r := range everyone {
		assert.Positive(t, sum.ByUpstream[r.HTTP], "replica %d (%s) answered part of the load", i, r.HTTP)
	}
	// Each stopped replica answered requests sent to it after its SIGTERM.
	log := lb.accessLog(t)
	for i, old := range everyone[:n] {
		late := servedAfter(log, old.HTTP, old.stopAsked)
		assert.Positive(t, late, "replica %d served requests while draining (after SIGTERM)", i)
		t.Logf("replica %d: %d requests answered after its SIGTERM", i, late)
	}
}

// servedAfter counts the access-log lines of upstream addr answered 200 after at.
func servedAfter(log, addr string, at time.Time) int {
	n := 0
	for _, line := range strings.Split(log, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != addr || f[2] != "200" {
			continue
		}
		if sec, err := strconv.ParseFloat(f[0], 64); err == nil && sec > float64(at.UnixNano())/1e9 {
			n++
		}
	}
	return n
}

// endpoints keeps nginx's upstreams equal to the replicas whose /readyz
// answers 200, polling each every 100 ms: the part of Kubernetes (probes,
// EndpointSlices, an ingress controller's reload) a balancer learns from.
type endpoints struct {
	mu      sync.Mutex
	known   []*replica        // replicas to watch
	in      map[*replica]bool // in nginx's upstreams
	removed map[*replica]int  // the /readyz status that took it out
	changed chan struct{}
}

func watchEndpoints(t *testing.T, lb *balancer, replicas []*replica) *endpoints {
	e := &endpoints{known: slices.Clone(replicas), in: map[*replica]bool{}, removed: map[*replica]int{}, changed: make(chan struct{}, 1)}
	for _, r := range replicas {
		e.in[r] = true
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				e.poll(t, lb)
			}
		}
	}()
	t.Cleanup(func() { close(done); <-stopped })
	return e
}

func (e *endpoints) poll(t *testing.T, lb *balancer) {
	e.mu.Lock()
	known := slices.Clone(e.known)
	e.mu.Unlock()
	codes := make([]int, len(known))
	var wg sync.WaitGroup
	for i, r := range known {
		wg.Go(func() { codes[i], _ = status("http://" + r.HTTP + "/readyz") })
	}
	wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	changed := false
	for i, r := range known {
		ready := codes[i] == 200
		if ready != e.in[r] {
			changed = true
			e.in[r] = ready
			if !ready {
				e.removed[r] = codes[i]
				e.known = slices.DeleteFunc(e.known, func(k *replica) bool { return k == r })
			}
		}
	}
	if !changed {
		return
	}
	var up []*replica
	for _, r := range e.known {
		if e.in[r] {
			up = append(up, r)
		}
	}
	if len(up) == 0 {
		t.Error("endpoints: no replica left ready")
		return
	}
	lb.setUpstreams(t, up)
	select {
	case e.changed <- struct{}{}:
	default:
	}
}

// add watches a new replica; it joins nginx once its /readyz says 200.
func (e *endpoints) add(r *replica) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.known = append(e.known, r)
}

// waitRemoved waits until r left nginx's upstreams, and returns the /readyz
// status that took it out.
func (e *endpoints) waitRemoved(t *testing.T, r *replica, within time.Duration) int {
	t.Helper()
	return e.wait(t, within, "removed", func() (int, bool) { code, ok := e.removed[r]; return code, ok })
}

func (e *endpoints) waitAdded(t *testing.T, r *replica, within time.Duration) {
	t.Helper()
	e.wait(t, within, "added", func() (int, bool) { return 0, e.in[r] })
}

func (e *endpoints) wait(t *testing.T, within time.Duration, what string, done func() (int, bool)) int {
	t.Helper()
	deadline := time.After(within)
	for {
		e.mu.Lock()
		v, ok := done()
		e.mu.Unlock()
		if ok {
			return v
		}
		select {
		case <-e.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("endpoints: replica not %s within %s", what, within)
		}
	}
}

// summary is loadgen's JSON output (tests/fleet/loadgen).
type summary struct {
	Sent, OK, Failed, Skipped int
	MCPOK                     int `json:"mcp_ok"`
	MCPFailed                 int `json:"mcp_failed"`
	Failures                  map[string]int
	ByUpstream                map[string]int `json:"by_upstream"`
	MCPVersion                string         `json:"mcp_protocol"`
	Seconds                   float64
}

// load is the load generator process.
type load struct {
	cmd         *exec.Cmd
	stdin       io.WriteCloser
	out, errout bytes.Buffer
}

// startLoad builds and starts ./loadgen against the balancer: 150 requests
// a second, every 10th an MCP tools/call, bounded to 3 minutes.
func startLoad(t *testing.T, lb *balancer) *load {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "loadgen")
	_, here, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", bin, "./loadgen")
	build.Dir = filepath.Dir(here)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build loadgen: %s", out)
	l := &load{cmd: exec.Command(bin, "-rest", "http://"+lb.REST, "-mcp", "http://"+lb.MCP+"/mcp", "-key", adminKey,
		"-rate", "150", "-mcp-every", "10", "-max-duration", "3m", "-max-requests", "30000")}
	l.cmd.Stdout, l.cmd.Stderr = &l.out, &l.errout
	l.stdin, err = l.cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, l.cmd.Start())
	t.Cleanup(func() { _ = l.cmd.Process.Kill() })
	return l
}

// stop closes the load generator's stdin (its signal to stop) and reads its summary.
func (l *load) stop(t *testing.T) summary {
	t.Helper()
	require.NoError(t, l.stdin.Close())
	done := make(chan error, 1)
	go func() { done <- l.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "loadgen: %s", l.errout.String())
	case <-time.After(60 * time.Second):
		t.Fatal("loadgen did not stop within 60 s of its stdin closing")
	}
	var s summary
	require.NoError(t, json.Unmarshal(l.out.Bytes(), &s), "loadgen output: %s", l.out.String())
	return s
}
