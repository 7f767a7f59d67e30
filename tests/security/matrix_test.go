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

	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/tests/cgtest"
)

var keys = map[auth.Role]string{auth.Viewer: "key-viewer", auth.Operator: "key-operator", auth.Admin: "key-admin"}

func start(t *testing.T) *cgtest.Gate {
	return cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": "viewer=key-viewer,operator=key-operator,admin=key-admin"})
}

var param = regexp.MustCompile(`\{[^}]+\}`)

// send calls op's route with placeholder parameters and an empty body: the
// role check happens before validation, so the body need not be valid.
func send(t *testing.T, gate *cgtest.Gate, op catalog.Op, key string) (int, string) {
	t.Helper()
	var body io.Reader
	if op.Operation.RequestBody != nil {
		body = strings.NewReader("{}")
	}
	req, err := http.NewRequest(op.Method, gate.URL+param.ReplaceAllString(op.Path, "x"), body)
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

func TestEveryRouteByEveryRole(t *testing.T) {
	gate := start(t)
	require.NotEmpty(t, gate.Stack.Ops)
	for _, op := range gate.Stack.Ops {
		t.Run(op.OperationID, func(t *testing.T) {
			status, _ := send(t, gate, op, "")
			assert.Equal(t, http.StatusUnauthorized, status, "no key")
			for role, key := range keys {
				status, body := send(t, gate, op, key)
				if role.Allows(op.RequiredRole()) {
					assert.NotContains(t, []int{401, 403}, status, "%s may %s: %s", role, op.OperationID, body)
					continue
				}
				assert.Equal(t, http.StatusForbidden, status, "%s may not %s", role, op.OperationID)
				assert.Contains(t, body, "needs the "+string(op.RequiredRole())+" role", "the 403 names the role")
			}
		})
	}
}

func TestRolesFollowHintsAndSensitivity(t *testing.T) {
	want := map[string]auth.Role{
		"clusterget": auth.Viewer, "clustermemberpatch": auth.Operator, "clustermemberdelete": auth.Admin,
		"clustermemberspost": auth.Admin, "clusteringupdatecert": auth.Admin, "clustermemberstatepost": auth.Admin,
		"openstorageclusterpairenumerate": auth.Viewer, "openstorageclusterpairgettoken": auth.Admin,
		"openstorageclusterpairresettoken": auth.Admin, "openstorageclusterpaircreate": auth.Operator,
	}
	got := map[string]auth.Role{}
	for _, op := range start(t).Stack.Ops {
		got[op.OperationID] = op.RequiredRole()
	}
	for id, role := range want {
		assert.Equal(t, role, got[id], id)
	}
}

func TestEachRoleListsOnlyItsTools(t *testing.T) {
	gate := start(t)
	for role, key := range keys {
		var want []string
		for _, tool := range gate.Stack.Tools {
			if role.Allows(tool.Op.RequiredRole()) {
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
