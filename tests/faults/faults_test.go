// Package faults breaks upstreams in every way a network or a daemon can and
// checks what a client sees: the documented status (502, 503 or 504), a
// message naming the upstream, an answer within the deadline, no goroutine
// left behind, and the other surfaces still serving. The upstreams here are
// in-process fakes: a real server cannot be made to fail on demand.
package faults

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

const deadline = 2 * time.Second

type answer struct {
	status int
	body   string
	took   time.Duration
}

func fetch(t *testing.T, url string) answer {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(raw), time.Since(start)}
}

func TestIncusFaults(t *testing.T) {
	healthy := httptest.NewServer(healthyPx())
	defer healthy.Close()
	cases := []struct {
		name   string
		env    func(t *testing.T) map[string]string
		status int
		says   string
	}{
		{"down (no socket)", func(t *testing.T) map[string]string {
			return map[string]string{"INCUS_SOCKET": "/nonexistent/unix.socket"}
		}, 503, "incus upstream is not reachable"},
		{"refuses connections", func(t *testing.T) map[string]string { return map[string]string{"INCUS_SOCKET": deadSocket(t)} }, 503, "incus upstream is not reachable"},
		{string(hang), faultyIncus(hang), 504, "incus did not answer"},
		{string(serverErr), faultyIncus(serverErr), 502, "incus: database is locked"},
		{string(malformed), faultyIncus(malformed), 502, "incus get cluster failed"},
		{string(truncated), faultyIncus(truncated), 502, "incus get cluster failed"},
		{"bad TLS certificate", func(t *testing.T) map[string]string {
			srv := untrustedTLS(t, incusHandler(serverErr))
			return map[string]string{"INCUS_URL": srv.URL}
		}, 502, "certificate signed by unknown authority"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := c.env(t)
			env["CLUSTERGATE_REQUEST_TIMEOUT"] = deadline.String()
			env["PORTWORX_ENDPOINT"] = healthy.URL
			gate := cgtest.Start(t, env)
			a := fetch(t, gate.URL+"/v1/1-0/cluster")
			assert.Equal(t, c.status, a.status, a.body)
			assert.Contains(t, a.body, c.says)
			assert.Contains(t, a.body, `"upstream":"incus"`)
			assert.Less(t, a.took, deadline+time.Second, "answered within the deadline")
			other := fetch(t, gate.URL+"/v1/v1/clusterpairs")
			assert.Equal(t, 200, other.status, "the Portworx surface keeps serving")
			before := settled()
			repeat(t, gate.URL+"/v1/1-0/cluster")
			noLeak(t, before)
		})
	}
}

func faultyIncus(f fault) func(t *testing.T) map[string]string {
	return func(t *testing.T) map[string]string {
		return map[string]string{"INCUS_SOCKET": incusSocket(t, incusHandler(f))}
	}
}

func TestPortworxFaults(t *testing.T) {
	cases := []struct {
		name     string
		endpoint func(t *testing.T) string
		status   int
		says     string
	}{
		{"refuses connections", func(t *testing.T) string { return "http://" + closedPort(t) }, 503, "portworx upstream is not reachable"},
		{string(hang), faultyPx(hang), 504, "portworx did not answer"},
		{string(serverErr), faultyPx(serverErr), 502, "portworx: database is locked"},
		{string(malformed), faultyPx(malformed), 502, "portworx"},
		{string(truncated), faultyPx(truncated), 502, "portworx"},
		{"bad TLS certificate", func(t *testing.T) string { return untrustedTLS(t, healthyPx()).URL }, 502, "certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gate := cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": c.endpoint(t),
				"CLUSTERGATE_REQUEST_TIMEOUT": deadline.String(), "PORTWORX_TIMEOUT": "500ms", "PORTWORX_RETRIES": "1"})
			a := fetch(t, gate.URL+"/v1/v1/clusterpairs")
			assert.Equal(t, c.status, a.status, a.body)
			assert.Contains(t, a.body, c.says)
			assert.Contains(t, a.body, `"upstream":"portworx"`)
			assert.Less(t, a.took, deadline+time.Second, "answered within the deadline")
			health := fetch(t, gate.URL+"/healthz")
			assert.Equal(t, 200, health.status)
			before := settled()
			repeat(t, gate.URL+"/v1/v1/clusterpairs")
			noLeak(t, before)
		})
	}
}

func faultyPx(f fault) func(t *testing.T) string {
	return func(t *testing.T) string {
		srv := httptest.NewServer(pxHandler(f))
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

// repeats is how many more failing requests follow the first: a leak grows
// with them, pooled connections do not.
const repeats = 5

func repeat(t *testing.T, url string) {
	t.Helper()
	for range repeats {
		fetch(t, url)
	}
}

// settled is the goroutine count once idle client connections are closed
// and the count has stopped falling (bounded wait).
func settled() int {
	http.DefaultClient.CloseIdleConnections()
	n := runtime.NumGoroutine()
	for range 20 {
		time.Sleep(25 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n {
			return m
		}
		n = m
	}
	return n
}

// noLeak waits (bounded) for the goroutine count after the repeated failing
// requests to come back to where it was after the first one.
func noLeak(t *testing.T, before int) {
	t.Helper()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if runtime.NumGoroutine() <= before+2 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	n := runtime.Stack(buf, true)
	t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), strings.TrimSpace(string(buf[:n])))
}
