package fleet

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDrainThenStop follows one replica's graceful stop with a REST request
// and an MCP tool call in flight (each held 3 s by the upstream) and a
// stateful MCP notification stream open: on SIGTERM /readyz answers 503 at once, both listeners keep serving
// new connections for --shutdown-delay, then they close, the requests in
// flight still complete, the stream ends, and the process exits 0, logging
// each step.
func TestDrainThenStop(t *testing.T) {
	const delay, hold = 2 * time.Second, 3 * time.Second
	arrived := make(chan struct{}, 2)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select { // readiness checks come here too: never block on them
		case arrived <- struct{}{}:
		default:
		}
		time.Sleep(hold)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"result":{}}`))
	}))
	defer slow.Close()
	r := startReplica(t, "--shutdown-delay", delay.String(), "--shutdown-timeout", "20s", "--portworx-endpoint", slow.URL)

	inFlight := make(chan int, 1)
	go func() { code, _ := status("http://" + r.HTTP + "/v1/v1/clusterpairs"); inFlight <- code }()
	<-arrived
	session, stream := openMCPStream(t, r.MCP)
	streamEnded := make(chan time.Time, 1)
	go func() { _, _ = io.Copy(io.Discard, stream); streamEnded <- time.Now() }()
	// An MCP tool call in flight too (the same slow upstream), on that session.
	toolCall := make(chan string, 1)
	go func() {
		resp := mcpPost(t, r.MCP, session, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"enumerate-returns-list-cluster-pairs","arguments":{}}}`)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		toolCall <- fmt.Sprintf("%d %s", resp.StatusCode, body)
	}()
	<-arrived

	keepAlive := &http.Client{Timeout: 10 * time.Second}
	assert.False(t, keepAliveClosed(t, keepAlive, r.HTTP), "control: a kept-alive connection stays open before SIGTERM")

	r.terminate(t)
	// A check that reached /readyz before the signal asks the slow upstream:
	// give each check 200 ms, and want the draining answer.
	waitDraining(t, "http://"+r.HTTP+"/readyz", time.Second)
	assert.True(t, keepAliveClosed(t, keepAlive, r.HTTP), "while draining, answers close kept-alive connections")

	// Within the delay: new connections on both listeners are served.
	for time.Since(r.stopAsked) < delay-500*time.Millisecond {
		code, body := status("http://" + r.HTTP + "/v1/1-0/cluster")
		require.Equal(t, http.StatusOK, code, "a request during the delay: %s", body)
		code, _ = status("http://" + r.HTTP + "/healthz")
		require.Equal(t, http.StatusOK, code, "liveness during the delay")
		code, body = status("http://" + r.MCP + "/mcp")
		require.Greater(t, code, 0, "the MCP listener during the delay: %s", body)
		select {
		case <-streamEnded:
			t.Fatal("the MCP stream ended during the delay")
		default:
		}
		time.Sleep(100 * time.Millisecond)
	}

	// After the delay: the listeners are closed.
	time.Sleep(time.Until(r.stopAsked.Add(delay + 500*time.Millisecond)))
	for _, addr := range []string{r.HTTP, r.MCP} {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
		}
		assert.True(t, refused(err), "%s after the delay: want a refused connection, got %v", addr, err)
	}
	select {
	case at := <-streamEnded:
		assert.GreaterOrEqual(t, at.Sub(r.stopAsked), delay, "the MCP stream ended only once the listeners closed")
	case <-time.After(5 * time.Second):
		t.Error("the MCP notification stream was not ended after the delay")
	}
	select {
	case code := <-inFlight:
		assert.Equal(t, http.StatusOK, code, "the request in flight completed")
	case <-time.After(10 * time.Second):
		t.Fatal("the request in flight did not complete")
	}
	select {
	case got := <-toolCall:
		assert.True(t, strings.HasPrefix(got, "200 "), "the MCP tool call in flight completed: %s", got)
		assert.Contains(t, got, `"result"`)
		assert.NotContains(t, got, `"isError":true`)
	case <-time.After(10 * time.Second):
		t.Fatal("the MCP tool call in flight did not complete")
	}
	require.NoError(t, r.waitExit(t, 10*time.Second), "exit 0 after draining:\n%s", r.logs)

	step1, ok := r.logLine("shutdown 1/3: draining")
	require.True(t, ok, r.logs.String())
	assert.Equal(t, "terminated", step1["signal"])
	assert.Equal(t, delay.String(), step1["delay"])
	_, ok = r.logLine("shutdown 2/3: listeners closed")
	assert.True(t, ok, r.logs.String())
	step3, ok := r.logLine("shutdown 3/3: stopped")
	require.True(t, ok, r.logs.String())
	assert.EqualValues(t, 0, step3["connections_cut"], "everything finished within the timeout")
}

// TestShutdownTimeoutCutsWhatIsLeft: a request that outlives
// --shutdown-timeout is cut, said in the logs, and the process still exits 0
// on time.
func TestShutdownTimeoutCutsWhatIsLeft(t *testing.T) {
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		arrived <- struct{}{}
		<-req.Context().Done()
	}))
	defer hang.Close()
	r := startReplica(t, "--shutdown-delay", "0s", "--shutdown-timeout", "1s", "--portworx-endpoint", hang.URL,
		"--portworx-timeout", "60s", "--portworx-retries", "0", "--request-timeout", "60s")
	inFlight := make(chan int, 1)
	go func() { code, _ := status("http://" + r.HTTP + "/v1/v1/clusterpairs"); inFlight <- code }()
	<-arrived
	r.terminate(t)
	require.NoError(t, r.waitExit(t, 5*time.Second), "exit 0 after cutting:\n%s", r.logs)
	assert.Less(t, time.Since(r.stopAsked), 4*time.Second, "the timeout bounds the stop")
	assert.Equal(t, -1, <-inFlight, "the request left was cut")
	warn, ok := r.logLine("shutdown: timeout reached")
	require.True(t, ok, r.logs.String())
	assert.Equal(t, "http", warn["listener"])
	step3, ok := r.logLine("shutdown 3/3: stopped")
	require.True(t, ok, r.logs.String())
	assert.EqualValues(t, 1, step3["connections_cut"])
}

// keepAliveClosed sends a request with a keep-alive client and reports
// whether the answer closes the connection (Connection: close).
func keepAliveClosed(t *testing.T, c *http.Client, addr string) bool {
	t.Helper()
	resp, err := c.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return resp.Close
}

// waitDraining polls url, each check bounded to 200 ms, until it answers
// 503 saying it drains, within limit.
func waitDraining(t *testing.T, url string, limit time.Duration) {
	t.Helper()
	c := &http.Client{Timeout: 200 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		resp, err := c.Get(url)
		if err != nil {
			last = err.Error()
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), `"draining":true`) {
			return
		}
		last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 503 draining within %s of SIGTERM (last: %s)", url, limit, last)
}

// waitStatus polls url until it answers want, within limit; it returns the body.
func waitStatus(t *testing.T, url string, want int, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	var code int
	var body string
	for time.Now().Before(deadline) {
		if code, body = status(url); code == want {
			return body
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not answer %d within %s (last: %d %s)", url, want, limit, code, body)
	return ""
}

// openMCPStream opens a stateful MCP session with plain HTTP (initialize,
// initialized) and its standalone GET stream, the one a client keeps open
// for server notifications; it returns the session id and the stream's body.
func openMCPStream(t *testing.T, addr string) (string, io.ReadCloser) {
	t.Helper()
	resp := mcpPost(t, addr, "", `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",`+
		`"capabilities":{},"clientInfo":{"name":"fleet-test","version":"1"}}}`)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	session := resp.Header.Get("Mcp-Session-Id")
	require.NotEmpty(t, session, "stateful mode gives a session id")
	resp = mcpPost(t, addr, session, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	resp = mcpRequest(t, http.MethodGet, addr, session, "")
	require.Equal(t, http.StatusOK, resp.StatusCode, "the notification stream opens")
	return session, resp.Body
}

// mcpPost sends one JSON-RPC message on a session ("" before initialize).
func mcpPost(t *testing.T, addr, session, body string) *http.Response {
	t.Helper()
	return mcpRequest(t, http.MethodPost, addr, session, body)
}

func mcpRequest(t *testing.T, method, addr, session, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+"/mcp", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Content-Type", "application/json")
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
		req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	}
	if method == http.MethodGet {
		req.Header.Set("Accept", "text/event-stream")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	return resp
}
