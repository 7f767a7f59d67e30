package faults

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

type readiness struct {
	Ready     bool   `json:"ready"`
	Reason    string `json:"reason"`
	Upstreams map[string]struct {
		Backend      string `json:"backend"`
		Configured   bool   `json:"configured"`
		ConfiguredBy string `json:"configured_by"`
		Ready        bool   `json:"ready"`
		Reason       string `json:"reason"`
	} `json:"upstreams"`
}

func readyz(t *testing.T, gate *cgtest.Gate) (int, readiness) {
	t.Helper()
	a := fetch(t, gate.URL+"/readyz")
	var r readiness
	require.NoError(t, json.Unmarshal([]byte(a.body), &r), a.body)
	return a.status, r
}

func TestReadinessCountsOnlyConfiguredUpstreams(t *testing.T) {
	healthy := httptest.NewServer(healthyPx())
	defer healthy.Close()
	gate := cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": healthy.URL, "INCUS_SOCKET": "/nonexistent/unix.socket"})
	status, r := readyz(t, gate)
	assert.Equal(t, 503, status, "Incus was named and is down")
	assert.False(t, r.Upstreams["incus"].Ready)
	assert.True(t, r.Upstreams["incus"].Configured)
	assert.Contains(t, r.Upstreams["incus"].Reason, "not reachable")
	assert.True(t, r.Upstreams["portworx"].Ready)
	assert.False(t, r.Upstreams["capi"].Configured)

	gate = cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": healthy.URL, "CLUSTERGATE_SANDBOX": "false"})
	status, r = readyz(t, gate)
	assert.Equal(t, 200, status, "upstreams nobody configured do not hold the instance back")
	assert.True(t, r.Ready)
	assert.Contains(t, r.Upstreams["capi"].Reason, "not configured: set KUBECONFIG")

	gate = cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": healthy.URL})
	status, r = readyz(t, gate)
	assert.Equal(t, 200, status)
	assert.Equal(t, "sandbox", r.Upstreams["capi"].Backend, "an unconfigured surface is served by its sandbox")
	assert.True(t, r.Upstreams["capi"].Ready)
	assert.Contains(t, r.Upstreams["capi"].Reason, "served by the in-memory sandbox (made-up data): set KUBECONFIG")
	assert.Equal(t, "upstream", r.Upstreams["portworx"].Backend)
	assert.Equal(t, "portworx-endpoint is set (PORTWORX_ENDPOINT)", r.Upstreams["portworx"].ConfiguredBy,
		"readyz names the setting that took the surface out of the sandbox")
}

// TestNotReadyWhenNothingCanServe: with the sandbox off and no upstream
// configured, every /v1 route would answer 503, so the instance is not ready.
func TestNotReadyWhenNothingCanServe(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_SANDBOX": "false"})
	status, r := readyz(t, gate)
	assert.Equal(t, 503, status)
	assert.False(t, r.Ready)
	assert.Equal(t, "no surface can serve: no upstream is configured and the sandbox is off (--sandbox=false)", r.Reason)
	for name, u := range r.Upstreams {
		assert.False(t, u.Configured, name)
		assert.Contains(t, u.Reason, "not configured: set ", name)
	}
}
