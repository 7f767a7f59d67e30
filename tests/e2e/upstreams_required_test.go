package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// TestRequiredUpstreams: one config file, east a real Incus, west a socket
// path where nothing listens. The readiness rule end to end: an upstream
// marked required: true holds /readyz back while it is not ready; one marked
// required: false does not (and /v1/upstreams still shows it down); with no
// required: keys a surface is ready when at least one of its configured
// upstreams is.
func TestRequiredUpstreams(t *testing.T) {
	east := lxdtest.Incus.Start(t)
	nowhere := filepath.Join(t.TempDir(), "nothing-listens.socket")
	gateWith := func(eastKeys, westKeys, eastSocket string) *cgtest.Gate {
		cfg := writeConfig(t, fmt.Sprintf("upstreams:\n  incus:\n    - name: east\n      socket: %s\n%s"+
			"    - name: west\n      socket: %s\n%s", eastSocket, eastKeys, nowhere, westKeys))
		return cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	}
	const required, optional = "      required: true\n", "      required: false\n"

	t.Run("west required", func(t *testing.T) {
		gate := gateWith("", required, east.Socket)
		status, body := getJSON(t, gate, "/readyz")
		assert.Equal(t, http.StatusServiceUnavailable, status, "a required upstream that is down holds readiness back")
		assert.Equal(t, false, body["ready"])
		ups := body["upstreams"].(map[string]any)
		assert.Equal(t, false, ups["incus/west"].(map[string]any)["ready"])
		assert.Contains(t, ups["incus/west"].(map[string]any)["reason"], "not reachable")
		assert.Equal(t, true, ups["incus/east"].(map[string]any)["ready"])
	})
	t.Run("west not required, east required", func(t *testing.T) {
		gate := gateWith(required, optional, east.Socket)
		status, body := getJSON(t, gate, "/readyz")
		assert.Equal(t, http.StatusOK, status, "%v", body)
		assert.Equal(t, false, body["upstreams"].(map[string]any)["incus/west"].(map[string]any)["ready"])
		ups := upstreamsByName(t, gate)
		assert.Equal(t, false, ups["west"]["ready"])
		assert.NotEmpty(t, ups["west"]["reason"])
		assert.Equal(t, true, ups["east"]["ready"])
	})
	t.Run("no required keys: one ready per surface suffices", func(t *testing.T) {
		status, body := getJSON(t, gateWith("", "", east.Socket), "/readyz")
		assert.Equal(t, http.StatusOK, status, "%v", body)
		status, body = getJSON(t, gateWith("", "", nowhere), "/readyz")
		assert.Equal(t, http.StatusServiceUnavailable, status, "no Incus upstream is ready: %v", body)
	})
}
