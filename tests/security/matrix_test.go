// Package security checks who may do what, over REST and MCP, for every
// route and tool the facade specs define: a new route is covered without
// editing these tests.
package security

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/hydratest"
)

var keys = map[vocab.Role]string{vocab.Viewer: "key-viewer", vocab.Operator: "key-operator", vocab.Admin: "key-admin"}

const keySetting = "viewer=key-viewer,operator=key-operator,admin=key-admin"

func start(t *testing.T) *cgtest.Gate {
	return cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting})
}

var param = regexp.MustCompile(`\{[^}]+\}`)

// send calls op's route with placeholder parameters and an empty body: the
// role check happens before validation, so the body need not be valid.
func send(t *testing.T, gate *cgtest.Gate, method, route, key string) (int, string) {
	t.Helper()
	var body io.Reader
	if method != http.MethodGet && method != http.MethodDelete {
		body = strings.NewReader("{}")
	}
	path := param.ReplaceAllString(route, "x")
	if method == http.MethodGet {
		path = samplePath(route)
	}
	req, err := http.NewRequest(method, gate.URL+path, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// samplePath fills a read's path parameters with names the sandbox has
// (writes keep placeholders, so the matrix changes nothing a later row
// reads); {id} stays unknown: operations and pairs have no fixed id.
func samplePath(route string) string {
	name := "node2"
	switch {
	case strings.HasPrefix(route, "/v1/capi/"):
		name = "demo"
	case strings.HasPrefix(route, "/v1/1-0/cluster/groups/"):
		name = "default" // every Incus cluster has it
	}
	r := strings.NewReplacer("{namespace}", "default", "{name}", name, "{id}", "unknown")
	return r.Replace(route)
}

// readSucceeds is what an allowed read answers: 200, or 404 for an id
// nothing has.
func readSucceeds(route string, status int) bool {
	return status == http.StatusOK || (strings.Contains(route, "{id}") && status == http.StatusNotFound)
}

// allowed is what an allowed call may answer with placeholder parameters
// against the sandbox: success, or the 4xx the facade documents for a bad
// body or an unknown name. Never 401/403 (refused) nor 429 nor a 5xx.
var allowed = []int{200, 201, 202, 204, 400, 404, 409, 412, 422}

// TestEveryRouteByEveryRole walks the hand-written contract: every route by
// no key, each role, and each role under --read-only and
// --disable-destructive. The expectation is the contract's row, never the
// code's own RequiredRole.
func TestEveryRouteByEveryRole(t *testing.T) {
	modes := []struct {
		name   string
		env    map[string]string
		refuse func(rule) bool
		why    string
	}{
		{"default", nil, func(rule) bool { return false }, ""},
		{"read-only", map[string]string{"CLUSTERGATE_READ_ONLY": "true"}, func(r rule) bool { return !r.readOnly }, "clustergate runs read-only"},
		{"disable-destructive", map[string]string{"CLUSTERGATE_DISABLE_DESTRUCTIVE": "true"}, func(r rule) bool { return r.destructive }, "destructive operations disabled"},
	}
	for _, m := range modes {
		env := map[string]string{"CLUSTERGATE_API_KEYS": keySetting, "CLUSTERGATE_RATE_LIMIT": "0"}
		for k, v := range m.env {
			env[k] = v
		}
		walkContract(t, m.name, cgtest.Start(t, env), keys, m.refuse, m.why)
	}
}

// TestEveryRouteByEveryRoleWithTokens walks the same contract with access
// tokens from a real ORY Hydra instead of API keys: a token's scope must
// mean exactly what a key's role means.
func TestEveryRouteByEveryRoleWithTokens(t *testing.T) {
	hydra := hydratest.Start(t)
	client := hydra.CreateClient(t, []string{"clustergate:viewer", "clustergate:operator", "clustergate:admin"}, []string{"clustergate"})
	tokens := map[vocab.Role]string{}
	for _, role := range vocab.Roles {
		tokens[role] = hydra.Token(t, client, []string{"clustergate:" + string(role)}, "clustergate")
	}
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_OIDC_ISSUER": hydra.Issuer, "CLUSTERGATE_OIDC_AUDIENCE": "clustergate",
		"CLUSTERGATE_RATE_LIMIT": "0"})
	walkContract(t, "tokens", gate, tokens, func(rule) bool { return false }, "")
}

// walkContract calls every route of the contract with no credential and
// with each role's, and checks each answer against the contract's row.
func walkContract(t *testing.T, mode string, gate *cgtest.Gate, creds map[vocab.Role]string, refuse func(rule) bool, why string) {
	for _, r := range contract {
		t.Run(mode+" "+r.method+" "+r.route, func(t *testing.T) {
			status, body := send(t, gate, r.method, r.route, "")
			assert.Equal(t, http.StatusUnauthorized, status, "no credential: %s", body)
			for _, role := range vocab.Roles {
				status, body := send(t, gate, r.method, r.route, creds[role])
				switch {
				case refuse(r):
					assert.Equal(t, http.StatusForbidden, status, "%s in %s: %s", role, mode, body)
					assert.Contains(t, body, why)
				case roleAtLeast(role, r.role) && r.method == http.MethodGet:
					assert.True(t, readSucceeds(r.route, status), "%s may read it: %d %s", role, status, body)
				case roleAtLeast(role, r.role):
					assert.Contains(t, allowed, status, "%s may call it: %s", role, body)
				default:
					assert.Equal(t, http.StatusForbidden, status, "%s may not call it: %s", role, body)
					assert.Contains(t, body, "needs the "+string(r.role)+" role", "the 403 names the role")
				}
			}
		})
	}
}

// roleAtLeast is the contract's ordering of roles, written out here rather
// than taken from the code under test.
func roleAtLeast(have, need vocab.Role) bool {
	rank := map[vocab.Role]int{vocab.Viewer: 1, vocab.Operator: 2, vocab.Admin: 3}
	return rank[have] >= rank[need]
}

// TestViewerListsNamespacedCAPI is the bug that started issue 15: routes
// with no MCP tool were classed as writes.
func TestViewerListsNamespacedCAPI(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting, "CLUSTERGATE_READ_ONLY": "true"})
	for _, path := range []string{"/v1/capi/namespaces/default/clusters", "/v1/capi/namespaces/default/clustertemplates"} {
		status, body := send(t, gate, "GET", path, keys[vocab.Viewer])
		assert.Equal(t, http.StatusOK, status, "%s: %s", path, body)
	}
}

func TestEachRoleListsOnlyItsTools(t *testing.T) {
	gate := start(t)
	for role, key := range keys {
		var want []string
		for _, tool := range gate.Stack.Tools {
			if r, ok := contractByRoute()[tool.Op.Method+" "+tool.Op.Path]; ok && roleAtLeast(role, r.role) {
				want = append(want, tool.Name)
			}
		}
		assert.Equal(t, want, listTools(t, gate.MCPURL, key), role)
	}
}

type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

func listTools(t *testing.T, url, key string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sdk.NewClient(&sdk.Implementation{Name: "matrix"}, nil).Connect(ctx,
		&sdk.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearer(key)}}, nil)
	require.NoError(t, err)
	defer s.Close()
	list, err := s.ListTools(ctx, nil)
	require.NoError(t, err)
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	sort.Strings(names)
	return names
}
