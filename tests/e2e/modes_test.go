package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

func toolNames(t *testing.T, gate *cgtest.Gate) map[string]bool {
	t.Helper()
	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	list, err := s.ListTools(ctx(t), nil)
	require.NoError(t, err)
	names := map[string]bool{}
	for _, tool := range list.Tools {
		names[tool.Name] = true
		if tool.Annotations.DestructiveHint != nil && *tool.Annotations.DestructiveHint {
			names["(destructive)"] = true
		}
		if !tool.Annotations.ReadOnlyHint {
			names["(writes)"] = true
		}
	}
	return names
}

func restStatus(t *testing.T, gate *cgtest.Gate, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, gate.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func TestReadOnlyModeHidesAndRefusesWrites(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_READ_ONLY": "true", "CLUSTERGATE_SANDBOX": "false"})
	names := toolNames(t, gate)
	assert.True(t, names["get-cluster-member"])
	assert.False(t, names["(writes)"], "no tool that writes is listed")
	status, body := restStatus(t, gate, "DELETE", "/v1/1-0/cluster/members/m1", "")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "clustergate runs read-only: clustermemberdelete changes state")
	status, _ = restStatus(t, gate, "GET", "/v1/1-0/cluster/members/m1", "")
	assert.Equal(t, http.StatusServiceUnavailable, status, "reads still reach the (absent) upstream")
}

func TestDisableDestructiveKeepsOtherWrites(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_DISABLE_DESTRUCTIVE": "true", "CLUSTERGATE_SANDBOX": "false"})
	names := toolNames(t, gate)
	assert.False(t, names["(destructive)"])
	assert.False(t, names["delete-cluster-pair"])
	assert.True(t, names["partially-update-cluster-member"])
	status, body := restStatus(t, gate, "POST", "/v1/1-0/cluster/members/m1/state", `{"action":"evacuate"}`)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "clustermemberstatepost is destructive")
	status, _ = restStatus(t, gate, "PATCH", "/v1/1-0/cluster/members/m1", `{"description":"x"}`)
	assert.Equal(t, http.StatusServiceUnavailable, status, "a non-destructive write is served")
}
