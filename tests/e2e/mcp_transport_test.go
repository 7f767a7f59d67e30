package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

func postMCP(t *testing.T, url string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(initialize))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestMCPRefusesCrossOriginBrowserRequests(t *testing.T) {
	gate := cgtest.Start(t, nil)
	status, _ := postMCP(t, gate.MCPURL, map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
	assert.Equal(t, http.StatusForbidden, status)
	status, body := postMCP(t, gate.MCPURL, nil)
	assert.Equal(t, http.StatusOK, status, body)
}

func TestMCPChecksTheHostHeader(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_MCP_ALLOWED_HOSTS": "clustergate.internal"})
	status, body := postMCP(t, gate.MCPURL, nil)
	assert.Equal(t, http.StatusForbidden, status)
	var refusal struct{ Message string }
	require.NoError(t, json.Unmarshal([]byte(body), &refusal), "the 403 is the facade's error shape: %s", body)
	assert.Contains(t, refusal.Message, `host "127.0.0.1" is not allowed`)
	status, body = postMCP(t, gate.MCPURL, map[string]string{"Host": "clustergate.internal"})
	assert.Equal(t, http.StatusOK, status, body)
}

func TestMCPStatelessServesWithoutSessions(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_MCP_STATELESS": "true", "CLUSTERGATE_SANDBOX": "false"})
	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	list, err := s.ListTools(ctx(t), nil)
	require.NoError(t, err)
	assert.NotEmpty(t, list.Tools)
	res := call(t, s, "get-cluster-configuration", nil)
	assert.True(t, res.IsError, "no Incus here")
	assert.Contains(t, text(res), "HTTP 503 from incus")
	resp, err := http.Get(gate.MCPURL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode, "stateless mode has no session stream")
}
