package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// TestBackendHeaderWhereTheReadmeSaysItIs: X-Clustergate-Backend is on
// every answer of a /v1 route, errors included, except a 401, and on none
// of the operational endpoints nor an unknown path (README.md, "Every error
// has one JSON shape").
func TestBackendHeaderWhereTheReadmeSaysItIs(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": "viewer=v,admin=a"})
	cases := []struct {
		method, path, key, body string
		status                  int
		header                  bool
	}{
		{"GET", "/v1/1-0/cluster/members-recursion-1", "v", "", 200, true},
		{"GET", "/v1/1-0/cluster/members/nobody", "v", "", 404, true},                   // the upstream's 404
		{"DELETE", "/v1/1-0/cluster/members/node1", "v", "", 403, true},                 // role refused
		{"PATCH", "/v1/1-0/cluster/members/node1", "a", `{"description":1}`, 400, true}, // validation
		{"GET", "/v1/1-0/cluster/members-recursion-1", "", "", 401, false},              // key checked first
		{"GET", "/healthz", "", "", 200, false},
		{"GET", "/readyz", "", "", 200, false},
		{"GET", "/metrics", "", "", 200, false},
		{"GET", "/openapi.json", "", "", 200, false},
		{"GET", "/docs/", "", "", 200, false},
		{"GET", "/v1/no/such/route", "v", "", 404, false},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, gate.URL+c.path, strings.NewReader(c.body))
		require.NoError(t, err)
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, c.status, resp.StatusCode, "%s %s", c.method, c.path)
		got := resp.Header.Get("X-Clustergate-Backend")
		if c.header {
			assert.Equal(t, "sandbox", got, "%s %s", c.method, c.path)
		} else {
			assert.Empty(t, got, "%s %s", c.method, c.path)
		}
	}
}
