package security

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
	"github.com/clustergate/clustergate/mcp"
	"github.com/clustergate/clustergate/tests/cgtest"
)

// auditLine is what a test reads back from the audit log: the fields the
// issue asks for, by their wire names.
type auditLine struct {
	RequestID    string            `json:"request_id"`
	Identity     string            `json:"identity"`
	IdentityKind string            `json:"identity_kind"`
	Role         string            `json:"role"`
	Via          string            `json:"via"`
	Tool         string            `json:"tool"`
	Operation    string            `json:"operation"`
	Target       map[string]string `json:"target"`
	Status       int               `json:"status"`
	Outcome      string            `json:"outcome"`
	Reason       string            `json:"reason"`
	Upstream     string            `json:"upstream"`
	Peer         string            `json:"peer"`
	UpstreamOp   string            `json:"upstream_operation"`
}

func readAudit(t *testing.T, path string) []auditLine {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []auditLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l auditLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "every audit line is JSON: %s", sc.Text())
		out = append(out, l)
	}
	return out
}

func audited(r rule) bool { return !r.readOnly || r.sensitive }

// sendID is send with our own request id, so each call's line can be found.
func sendID(t *testing.T, gate *cgtest.Gate, method, path, body, key, id string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, gate.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", id)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// TestAuditRecordsEveryStateChangeOnceRESTAndMCP calls every route of the
// contract as admin, viewer and with no key, and every audited tool over
// MCP, then reads the audit log: each call that changes state or reveals a
// secret is one line, allowed or refused, naming who made it; reads are
// not audited.
func TestAuditRecordsEveryStateChangeOnceRESTAndMCP(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting, "CLUSTERGATE_AUDIT_LOG": logPath,
		"CLUSTERGATE_RATE_LIMIT": "0"})
	type call struct{ identity, outcome string }
	want := map[string]call{} // request id -> expected line
	var notAudited []string
	for i, r := range contract {
		path := param.ReplaceAllString(r.route, "x")
		body := ""
		if r.method != "GET" && r.method != "DELETE" {
			body = "{}"
		}
		for _, who := range []struct {
			key, identity string
			role          vocab.Role
		}{{keys[vocab.Admin], "admin-3", vocab.Admin}, {keys[vocab.Viewer], "viewer-1", vocab.Viewer}, {"", "anonymous", ""}} {
			id := fmt.Sprintf("t-%d-%s", i, who.identity)
			status, raw := sendID(t, gate, r.method, path, body, who.key, id)
			if !audited(r) {
				notAudited = append(notAudited, id)
				continue
			}
			outcome := "refused"
			if who.role != "" && roleAtLeast(who.role, r.role) {
				outcome = map[bool]string{true: "ok", false: "error"}[status < 400]
			}
			want[id] = call{who.identity, outcome}
			_ = raw
		}
	}

	// Over MCP, as admin: every audited tool once with valid-looking
	// arguments, and one destructive tool without its confirmation.
	s := mcpAs(t, gate, keys[vocab.Admin])
	wantTools := map[string]bool{}
	var destructive string
	for _, tool := range gate.Stack.Tools {
		r := contractByRoute()[tool.Op.Method+" "+tool.Op.Path]
		if !audited(r) {
			continue
		}
		wantTools[tool.Name] = true
		_, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: tool.Name, Arguments: argsFor(tool, true)})
		require.NoError(t, err, tool.Name)
		if r.destructive && destructive == "" {
			destructive = tool.Name
		}
	}
	require.NotEmpty(t, destructive)
	var unconfirmed mcp.Tool
	for _, tool := range gate.Stack.Tools {
		if tool.Name == destructive {
			unconfirmed = tool
		}
	}
	res, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: destructive, Arguments: argsFor(unconfirmed, false)})
	require.NoError(t, err)
	require.True(t, res.IsError, "a destructive call without confirm is refused")

	lines := readAudit(t, logPath)
	require.Greater(t, len(want), 40, "the contract has many audited calls")
	t.Logf("%d REST calls and %d tools audited; %d lines", len(want), len(wantTools), len(lines))
	byID := map[string][]auditLine{}
	mcpByTool := map[string][]auditLine{}
	for _, l := range lines {
		if l.Via == "mcp" {
			mcpByTool[l.Tool] = append(mcpByTool[l.Tool], l)
			continue
		}
		assert.Equal(t, "rest", l.Via)
		byID[l.RequestID] = append(byID[l.RequestID], l)
	}
	for id, c := range want {
		got := byID[id]
		if !assert.Len(t, got, 1, "call %s is audited exactly once", id) {
			continue
		}
		assert.Equal(t, c.identity, got[0].Identity, id)
		assert.Equal(t, c.outcome, got[0].Outcome, "%s status %d", id, got[0].Status)
		assert.NotEmpty(t, got[0].Operation, id)
		assert.NotZero(t, got[0].Status, id)
	}
	for _, id := range notAudited {
		assert.Empty(t, byID[id], "read %s is not audited", id)
	}
	for name := range wantTools {
		n := 1
		if name == destructive {
			n = 2 // the confirmed call and the refused one
		}
		if assert.Len(t, mcpByTool[name], n, "tool %s", name) {
			assert.Equal(t, "admin-3", mcpByTool[name][0].Identity, "the tool call runs as the MCP caller")
			assert.Equal(t, "127.0.0.1", mcpByTool[name][0].Peer, "and from its address")
		}
	}
	var refusedByMCP int
	for _, l := range mcpByTool[destructive] {
		if l.Reason == "not confirmed" {
			refusedByMCP++
			assert.Equal(t, "refused", l.Outcome)
		}
	}
	assert.Equal(t, 1, refusedByMCP, "the unconfirmed call is one refused line")
	assert.Len(t, mcpByTool, len(wantTools), "no other tool is audited")
}

// argsFor fills a tool's required arguments with placeholders; confirm
// repeats the target when asked to.
func argsFor(tool mcp.Tool, confirm bool) map[string]any {
	args := map[string]any{}
	props, _ := tool.InputSchema["properties"].(map[string]any)
	required, _ := tool.InputSchema["required"].([]string)
	for _, name := range required {
		p, _ := props[name].(map[string]any)
		switch p["type"] {
		case "object":
			args[name] = map[string]any{}
		case "integer", "number":
			args[name] = 1
		case "boolean":
			args[name] = false
		default:
			args[name] = "x"
		}
	}
	delete(args, "confirm")
	if confirm && tool.Annotations.Destructive {
		args["confirm"] = tool.Name
		for _, p := range tool.Op.Operation.Parameters {
			if p.Value.In == "path" {
				args["confirm"] = "x"
			}
		}
	}
	return args
}

func mcpAs(t *testing.T, gate *cgtest.Gate, key string) *sdk.ClientSession {
	t.Helper()
	s, err := sdk.NewClient(&sdk.Implementation{Name: "audit"}, nil).Connect(context.Background(),
		&sdk.StreamableClientTransport{Endpoint: gate.MCPURL, HTTPClient: &http.Client{Transport: bearer(key)}}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestAuditWriteFailureFailsClosed writes the audit log to /dev/full: every
// write fails, so every audited call answers 503, while reads still work.
func TestAuditWriteFailureFailsClosed(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Fatalf("this test needs /dev/full (Linux): %v", err)
	}
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting, "CLUSTERGATE_AUDIT_LOG": "/dev/full"})
	status, raw := sendID(t, gate, "POST", "/v1/1-0/cluster/groups", `{"name":"g1"}`, keys[vocab.Admin], "full-1")
	assert.Equal(t, http.StatusServiceUnavailable, status, "%s", raw)
	var body vocab.ErrorBody
	require.NoError(t, json.Unmarshal(raw, &body))
	assert.Contains(t, body.Message, "audit log")
	assert.Equal(t, "full-1", body.RequestID)
	status, raw = sendID(t, gate, "GET", "/v1/1-0/cluster", "", keys[vocab.Viewer], "full-2")
	assert.Equal(t, http.StatusOK, status, "reads are not audited: %s", raw)
}
