package security

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
	"github.com/clustergate/clustergate/tests/cgtest"
)

// openSession sends an initialize and returns the status, the session id
// and the error message when refused.
func openSession(t *testing.T, gate *cgtest.Gate, key string) (int, string, string) {
	t.Helper()
	authz := ""
	if key != "" {
		authz = "Bearer " + key
	}
	status, h, raw := mcpPost(t, gate, authz, initialize)
	if status != http.StatusOK {
		var body vocab.ErrorBody
		require.NoError(t, json.Unmarshal(raw, &body), "a refusal is the error shape: %s", raw)
		return status, "", body.Message
	}
	return status, h.Get("Mcp-Session-Id"), ""
}

func closeSession(t *testing.T, gate *cgtest.Gate, key, id string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, gate.MCPURL, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Mcp-Session-Id", id)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300)
}

// TestMCPSessionsAreCapped: per caller and in total, the next initialize
// gets a clear error, and closing a session makes room again.
func TestMCPSessionsAreCapped(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting,
		"CLUSTERGATE_MCP_MAX_SESSIONS_PER_CALLER": "3", "CLUSTERGATE_MCP_MAX_SESSIONS": "5"})
	var viewer []string
	for range 3 {
		status, id, msg := openSession(t, gate, keys[vocab.Viewer])
		require.Equal(t, 200, status, msg)
		require.NotEmpty(t, id)
		viewer = append(viewer, id)
	}
	status, _, msg := openSession(t, gate, keys[vocab.Viewer])
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Contains(t, msg, "--mcp-max-sessions-per-caller")
	for range 2 {
		status, _, msg := openSession(t, gate, keys[vocab.Operator])
		require.Equal(t, 200, status, msg)
	}
	status, _, msg = openSession(t, gate, keys[vocab.Admin])
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, msg, "--mcp-max-sessions")

	closeSession(t, gate, keys[vocab.Viewer], viewer[0])
	status, _, msg = openSession(t, gate, keys[vocab.Admin])
	assert.Equal(t, 200, status, "a closed session makes room: %s", msg)
}

// TestAbandonedMCPSessionsAreFreed opens thousands of sessions and walks
// away from them, twice: idle ones close after --mcp-session-idle, most of
// their memory comes back, and the second round leaves the heap where the
// first did (what stays is table capacity the runtime keeps for reuse, not
// sessions).
func TestAbandonedMCPSessionsAreFreed(t *testing.T) {
	const n = 3000
	// Warnings only: the test's in-memory log would otherwise grow with
	// every session and hide what the sessions themselves keep.
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_MCP_SESSION_IDLE": "2s", "CLUSTERGATE_LOG_LEVEL": "warn",
		"CLUSTERGATE_MCP_MAX_SESSIONS": "10000", "CLUSTERGATE_MCP_MAX_SESSIONS_PER_CALLER": "10000"})
	http.DefaultClient.CloseIdleConnections()
	before := heap()
	first, grew, after1 := abandon(t, gate, n, before)
	require.Greater(t, grew, int64(n*1024), "open sessions hold memory (at least 1 KiB each)")
	assert.Less(t, int64(after1)-int64(before), grew/2, "most of the sessions' memory comes back")
	_, _, after2 := abandon(t, gate, n, before)
	assert.Less(t, int64(after2)-int64(after1), grew/10, "a second round leaves the heap where the first did")

	req, err := http.NewRequest("POST", gate.MCPURL, strings.NewReader(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", first)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "an idled-out session is gone")
}

// abandon opens n sessions, leaves them, and waits until they idled out;
// it returns one session id, how much the heap grew with them open, and the
// heap after.
func abandon(t *testing.T, gate *cgtest.Gate, n int, before uint64) (string, int64, uint64) {
	t.Helper()
	var first string
	for i := range n {
		status, id, msg := openSession(t, gate, "")
		require.Equal(t, 200, status, "session %d: %s", i, msg)
		if first == "" {
			first = id
		}
	}
	opened := heap()
	grew := int64(opened) - int64(before)
	time.Sleep(3 * time.Second) // --mcp-session-idle 2s, and a margin
	// The next initialize forgets the closed sessions' owners.
	status, _, msg := openSession(t, gate, "")
	require.Equal(t, 200, status, msg)
	http.DefaultClient.CloseIdleConnections()
	after := heap()
	t.Logf("heap: %d KiB before, %d KiB with %d sessions open, %d KiB after they idled out", before/1024, opened/1024, n, after/1024)
	return first, grew, after
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
