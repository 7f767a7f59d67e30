package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// logLines decodes the JSON log lines whose msg is msg.
func logLines(t *testing.T, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// TestRequestLogLines: every request line carries duration_ms as a number
// (not nanoseconds under "latency"); a line for an MCP tool call names the
// tool; a REST line names none.
func TestRequestLogLines(t *testing.T) {
	gate := cgtest.Start(t, nil)
	resp, err := http.Get(gate.URL + "/v1/1-0/cluster/members/node2")
	require.NoError(t, err)
	resp.Body.Close()
	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	res := call(t, s, "get-cluster-member", map[string]any{"name": "node1"})
	require.False(t, res.IsError, text(res))

	lines := logLines(t, gate.Logs(), "request")
	require.Len(t, lines, 2, gate.Logs())
	for _, l := range lines {
		d, ok := l["duration_ms"].(float64)
		assert.True(t, ok && d >= 0, "duration_ms is a number: %v", l)
		assert.NotContains(t, l, "latency")
		assert.Equal(t, "clustermemberget", l["operation"])
	}
	assert.NotContains(t, lines[0], "tool", "a REST call names no tool")
	assert.Equal(t, "/v1/1-0/cluster/members/:name", lines[0]["route"])
	assert.Equal(t, "get-cluster-member", lines[1]["tool"], "an MCP call's line names its tool")
}

// TestErrorLineSaysItsCauseOnce: a failed upstream call logs one error line
// whose message is the one the client got, with the Go cause beside it
// (once) rather than appended inside it.
func TestErrorLineSaysItsCauseOnce(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"INCUS_SOCKET": "/nonexistent/unix.socket"})
	resp, err := http.Get(gate.URL + "/v1/1-0/cluster")
	require.NoError(t, err)
	var body struct{ Message string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	resp.Body.Close()
	require.Equal(t, 503, resp.StatusCode)
	lines := logLines(t, gate.Logs(), "request failed")
	require.Len(t, lines, 1, gate.Logs())
	assert.Equal(t, body.Message, lines[0]["error"], "the line's message is the answer's")
	cause, _ := lines[0]["cause"].(string)
	assert.Equal(t, "stat /nonexistent/unix.socket: no such file or directory", cause)
	assert.NotContains(t, body.Message, cause)
}
