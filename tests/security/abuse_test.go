package security

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
	"github.com/clustergate/clustergate/tests/cgtest"
)

func getH(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// TestSpoofedForwardedForDoesNotEscapeTheRateLimit: with --rate-limit=1 and
// no trusted proxy, five anonymous requests that each claim another
// X-Forwarded-For share the peer's bucket.
func TestSpoofedForwardedForDoesNotEscapeTheRateLimit(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_RATE_LIMIT": "1", "CLUSTERGATE_RATE_BURST": "1"})
	var statuses []int
	for i := range 5 {
		resp, _ := getH(t, gate.URL+"/v1/1-0/cluster", map[string]string{"X-Forwarded-For": "203.0.113." + strconv.Itoa(i+1)})
		statuses = append(statuses, resp.StatusCode)
	}
	assert.Equal(t, []int{200, 429, 429, 429, 429}, statuses)
}

// TestTrustedProxyForwardedForCounts: the same requests from a trusted proxy
// are five clients with a bucket each.
func TestTrustedProxyForwardedForCounts(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_RATE_LIMIT": "1", "CLUSTERGATE_RATE_BURST": "1",
		"CLUSTERGATE_TRUSTED_PROXIES": "127.0.0.0/8"})
	for i := range 5 {
		resp, _ := getH(t, gate.URL+"/v1/1-0/cluster", map[string]string{"X-Forwarded-For": "203.0.113." + strconv.Itoa(i+1)})
		assert.Equal(t, 200, resp.StatusCode, "client %d", i+1)
	}
	resp, _ := getH(t, gate.URL+"/v1/1-0/cluster", map[string]string{"X-Forwarded-For": "203.0.113.1"})
	assert.Equal(t, 429, resp.StatusCode, "the first client again: its own bucket is empty")
}

// TestRateLimitKeysOnIdentity: one key is one bucket, whatever address or
// X-Forwarded-For it calls with; another key has its own.
func TestRateLimitKeysOnIdentity(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting, "CLUSTERGATE_RATE_LIMIT": "1",
		"CLUSTERGATE_RATE_BURST": "1", "CLUSTERGATE_TRUSTED_PROXIES": "127.0.0.0/8"})
	auth := func(k vocab.Role, xff string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + keys[k], "X-Forwarded-For": xff}
	}
	resp, _ := getH(t, gate.URL+"/v1/1-0/cluster", auth(vocab.Viewer, "203.0.113.1"))
	assert.Equal(t, 200, resp.StatusCode)
	resp, _ = getH(t, gate.URL+"/v1/1-0/cluster", auth(vocab.Viewer, "203.0.113.2"))
	assert.Equal(t, 429, resp.StatusCode, "another address does not give the key another bucket")
	resp, _ = getH(t, gate.URL+"/v1/1-0/cluster", auth(vocab.Admin, "203.0.113.1"))
	assert.Equal(t, 200, resp.StatusCode, "another key has its own bucket")
}

// TestWrongKeysAreThrottled: after a burst of wrong keys a source gets 429
// with Retry-After, on REST and on /mcp, even with a right key; a missing
// key is not a guess and is not counted.
func TestWrongKeysAreThrottled(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting, "CLUSTERGATE_RATE_LIMIT": "0"})
	for range 20 {
		resp, _ := getH(t, gate.URL+"/v1/1-0/cluster", nil)
		require.Equal(t, 401, resp.StatusCode, "no key is never throttled")
	}
	var statuses []int
	for i := range 12 {
		resp, _ := getH(t, gate.URL+"/v1/1-0/cluster", map[string]string{"Authorization": "Bearer guess-" + strconv.Itoa(i)})
		statuses = append(statuses, resp.StatusCode)
	}
	assert.Equal(t, []int{401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429, 429}, statuses)
	resp, raw := getH(t, gate.URL+"/v1/1-0/cluster", map[string]string{"Authorization": "Bearer " + keys[vocab.Admin]})
	assert.Equal(t, 429, resp.StatusCode, "the source waits, whatever key it sends now: %s", raw)
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds")
	assert.True(t, secs >= 1 && secs <= 6, "Retry-After %d", secs)

	for i := range 12 {
		status, _, _ := mcpPost(t, gate, "Bearer mcp-guess-"+strconv.Itoa(i), initialize)
		if i < 10 {
			assert.Equal(t, 401, status, "mcp guess %d", i)
		} else {
			assert.Equal(t, 429, status, "mcp guess %d", i)
		}
	}
}

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

func mcpPost(t *testing.T, gate *cgtest.Gate, authz, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", gate.MCPURL, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

// TestMCPRefusalsAreTheOneErrorShape: /mcp's 401 is JSON in the facade's
// error shape with WWW-Authenticate: Bearer, and the scheme is
// case-insensitive there too.
func TestMCPRefusalsAreTheOneErrorShape(t *testing.T) {
	gate := start(t)
	for _, authz := range []string{"", "Bearer nope", "Basic eDp5"} {
		status, h, raw := mcpPost(t, gate, authz, initialize)
		assert.Equal(t, 401, status, "%q", authz)
		assert.True(t, strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer"), "%q: %s", authz, h.Get("WWW-Authenticate"))
		assert.Equal(t, "application/json", h.Get("Content-Type"))
		var body vocab.ErrorBody
		require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
		assert.Equal(t, 401, body.Status)
		assert.NotEmpty(t, body.Message)
	}
	status, _, raw := mcpPost(t, gate, "bearer "+keys[vocab.Viewer], initialize)
	assert.Equal(t, 200, status, "lower-case scheme: %s", raw)
	req, err := http.NewRequest("POST", gate.MCPURL, strings.NewReader(initialize))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Authorization", "Bearer "+keys[vocab.Viewer])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)
	var body vocab.ErrorBody
	assert.NoError(t, json.Unmarshal(raw, &body), "the 403 is the error shape: %s", raw)
}

// TestStartupRefusals runs the binary: an anonymous non-loopback listener
// and a key given twice are refused before anything listens, naming the
// setting.
func TestStartupRefusals(t *testing.T) {
	bin := cgtest.Binary(t)
	for _, c := range []struct {
		args []string
		env  []string
		want []string
	}{
		{[]string{"serve", "--http-addr", "0.0.0.0:0", "--mcp-addr", ""}, nil, []string{"--http-addr: 0.0.0.0:0", "--insecure-allow-anonymous"}},
		{[]string{"serve", "--http-addr", "127.0.0.1:0", "--mcp-addr", ":0"}, nil, []string{"--mcp-addr: :0", "--insecure-allow-anonymous"}},
		{[]string{"serve", "--http-addr", "127.0.0.1:0", "--mcp-addr", ""}, []string{"CLUSTERGATE_API_KEYS=viewer=same,admin=same"},
			[]string{"--api-keys", "configured twice", "viewer-1", "admin-2"}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, c.args...)
		cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}, c.env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		require.Error(t, err, "%v must not start", c.args)
		assert.NotEqual(t, context.DeadlineExceeded, ctx.Err(), "it exits at once")
		for _, w := range c.want {
			assert.Contains(t, stderr.String(), w, "%v", c.args)
		}
		assert.NotContains(t, stderr.String(), "same", "the error never quotes a key")
	}
}
