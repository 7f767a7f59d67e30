package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

const eastKey = "e2e-east-only-key"

// twoIncusGate starts two independent Incus daemons and one clustergate
// serving both as the named upstreams east (the default: first) and west,
// with an admin key and an operator key scoped to east.
func twoIncusGate(t *testing.T) (gate *cgtest.Gate, east, west *lxdtest.Daemon, auditLog string) {
	t.Helper()
	east, west = lxdtest.Incus.Start(t), lxdtest.Incus.Start(t)
	dir := t.TempDir()
	sum := sha256.Sum256([]byte(eastKey))
	keys := filepath.Join(dir, "keys.yaml")
	require.NoError(t, os.WriteFile(keys, []byte(fmt.Sprintf(
		"- name: east-operator\n  role: operator\n  sha256: %s\n  upstreams: [east]\n", hex.EncodeToString(sum[:]))), 0o600))
	cfg := filepath.Join(dir, "clustergate.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(
		"upstreams:\n  incus:\n    - name: east\n      socket: %s\n    - name: west\n      socket: %s\n", east.Socket, west.Socket)), 0o600))
	auditLog = filepath.Join(dir, "audit.jsonl")
	gate = cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey,
		"CLUSTERGATE_API_KEYS_FILE": keys, "CLUSTERGATE_RATE_LIMIT": "0", "CLUSTERGATE_REQUEST_TIMEOUT": "20s",
		"CLUSTERGATE_AUDIT_LOG": auditLog})
	return gate, east, west, auditLog
}

func incusClient(t *testing.T, gate *cgtest.Gate, key string) *gen.ClientWithResponses {
	t.Helper()
	c, err := gen.NewClientWithResponses(gate.URL, gen.WithRequestEditorFn(cgtest.Bearer(key)))
	require.NoError(t, err)
	return c
}

// getJSON GETs a path of the gate with the admin key.
func getJSON(t *testing.T, gate *cgtest.Gate, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, gate.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body), string(raw))
	return res.StatusCode, body
}

// TestTwoIncusClustersBehindOneGate: reads and writes go to the upstream the
// upstream parameter names and nowhere else; omitted, the default (first);
// unknown, 404 naming the known ones; a key scoped to east gets 403 on west;
// with west stopped its calls fail fast (503/504) while east answers, and
// /readyz and /v1/upstreams say west is down.
func TestTwoIncusClustersBehindOneGate(t *testing.T) {
	gate, east, west, auditLog := twoIncusGate(t)
	admin, scoped := incusClient(t, gate, adminKey), incusClient(t, gate, eastKey)
	x := ctx(t)
	on := func(name string) *string { return &name }

	// Reads: each cluster knows only its own member.
	for _, tc := range []struct {
		upstream *string
		member   string
		want     int
	}{
		{on("east"), east.Name, http.StatusOK}, {on("east"), west.Name, http.StatusNotFound},
		{on("west"), west.Name, http.StatusOK}, {on("west"), east.Name, http.StatusNotFound},
		{nil, east.Name, http.StatusOK}, // omitted: east, the first entry
	} {
		r, err := admin.ClustermembergetWithResponse(x, tc.member, &gen.ClustermembergetParams{Upstream: tc.upstream})
		require.NoError(t, err)
		assert.Equal(t, tc.want, r.StatusCode(), "member %s on %v: %s", tc.member, tc.upstream, r.Body)
	}

	// Writes: a group created through west exists on west only.
	made, err := admin.ClustergroupspostWithResponse(x, &gen.ClustergroupspostParams{Upstream: on("west")}, gen.ClusterGroupsPost{Name: "west-only"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, made.StatusCode(), string(made.Body))
	_, _, err = west.Client().GetClusterGroup("west-only")
	require.NoError(t, err, "the group is on west itself")
	_, _, err = east.Client().GetClusterGroup("west-only")
	require.Error(t, err, "and not on east")
	audited, err := os.ReadFile(auditLog)
	require.NoError(t, err)
	assert.Contains(t, string(audited), `"operation":"clustergroupspost"`)
	assert.Contains(t, string(audited), `"upstream":"incus/west"`, "the audit record names the upstream")
	metrics, err := http.Get(gate.URL + "/metrics")
	require.NoError(t, err)
	scraped, _ := io.ReadAll(metrics.Body)
	metrics.Body.Close()
	assert.Contains(t, string(scraped), `clustergate_upstream_requests_total{operation="clustergroupspost",upstream="incus/west"} 1`)

	// Unknown upstream: 404 naming the known ones.
	unknown, err := admin.ClustergetWithResponse(x, &gen.ClustergetParams{Upstream: on("north")})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, unknown.StatusCode())
	assert.Contains(t, string(unknown.Body), `upstream \"north\" is not one of incus's upstreams: east, west`)

	// Scope: the east-only key reads east, and is refused west by name.
	own, err := scoped.ClustergetWithResponse(x, &gen.ClustergetParams{Upstream: on("east")})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, own.StatusCode(), string(own.Body))
	other, err := scoped.ClustergetWithResponse(x, &gen.ClustergetParams{Upstream: on("west")})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, other.StatusCode())
	assert.Contains(t, string(other.Body), `may not reach upstream \"west\"`)

	// The same scope holds for MCP tool calls (they go through the same chain),
	// and the east-only key lists only the tools of surfaces it may reach:
	// Incus (east) and list-upstreams, no Portworx or Cluster API tool.
	sess, err := mcpSession(t, gate.MCPURL, eastKey)
	require.NoError(t, err)
	tools, err := sess.ListTools(x, nil)
	require.NoError(t, err)
	var listed []string
	for _, tool := range tools.Tools {
		listed = append(listed, tool.Name)
	}
	assert.Contains(t, listed, "get-cluster-configuration")
	assert.Contains(t, listed, "list-upstreams")
	assert.NotContains(t, listed, "enumerate-returns-list-cluster-pairs", "no Portworx upstream is in its scope")
	assert.NotContains(t, listed, "list_clusters", "no Cluster API upstream is in its scope")
	refused := call(t, sess, "get-cluster-configuration", map[string]any{"upstream": "west"})
	assert.True(t, refused.IsError)
	assert.Contains(t, text(refused), `may not reach upstream "west"`)
	allowed := call(t, sess, "get-cluster-configuration", map[string]any{"upstream": "east"})
	assert.False(t, allowed.IsError, text(allowed))

	// West goes away: its calls fail fast, east keeps answering.
	west.Stop()
	start := time.Now()
	down, err := admin.ClustergetWithResponse(x, &gen.ClustergetParams{Upstream: on("west")})
	require.NoError(t, err)
	assert.Contains(t, []int{http.StatusServiceUnavailable, http.StatusGatewayTimeout}, down.StatusCode(), string(down.Body))
	assert.Less(t, time.Since(start), 10*time.Second, "fails well within the 20s request deadline")
	up, err := admin.ClustergetWithResponse(x, &gen.ClustergetParams{Upstream: on("east")})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, up.StatusCode(), string(up.Body))

	status, ready := getJSON(t, gate, "/readyz")
	assert.Equal(t, http.StatusOK, status, "no upstream is required: one ready Incus cluster keeps the instance ready")
	ups := ready["upstreams"].(map[string]any)
	assert.Equal(t, true, ups["incus/east"].(map[string]any)["ready"])
	assert.Equal(t, false, ups["incus/west"].(map[string]any)["ready"])
	assert.NotEmpty(t, ups["incus/west"].(map[string]any)["reason"])

	status, list := getJSON(t, gate, "/v1/upstreams")
	require.Equal(t, http.StatusOK, status)
	byName := map[string]map[string]any{}
	for _, u := range list["upstreams"].([]any) {
		m := u.(map[string]any)
		if m["upstream"] == "incus" {
			byName[m["name"].(string)] = m
		}
	}
	require.Len(t, byName, 2)
	assert.Equal(t, true, byName["east"]["ready"])
	assert.Equal(t, true, byName["east"]["default"])
	assert.Equal(t, false, byName["west"]["ready"])
	assert.NotEmpty(t, byName["west"]["reason"])
}

// TestSandboxOffersNamedClusters: with nothing configured, two Incus and two
// Portworx sandbox clusters and one management cluster are named upstreams,
// and each sandbox cluster keeps its own state.
func TestSandboxOffersNamedClusters(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	status, list := getJSON(t, gate, "/v1/upstreams")
	require.Equal(t, http.StatusOK, status)
	var got []string
	for _, u := range list["upstreams"].([]any) {
		m := u.(map[string]any)
		assert.Equal(t, "sandbox", m["backend"], m)
		assert.Equal(t, true, m["ready"], m)
		got = append(got, fmt.Sprintf("%s/%s", m["upstream"], m["name"]))
	}
	assert.Equal(t, []string{"incus/default", "incus/sandbox-2", "portworx/default", "portworx/sandbox-2", "capi/default"}, got)

	c, x := incusClient(t, gate, adminKey), ctx(t)
	second := "sandbox-2"
	made, err := c.ClustergroupspostWithResponse(x, &gen.ClustergroupspostParams{Upstream: &second}, gen.ClusterGroupsPost{Name: "only-second"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, made.StatusCode(), string(made.Body))
	there, err := c.ClustergroupgetWithResponse(x, "only-second", &gen.ClustergroupgetParams{Upstream: &second})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, there.StatusCode())
	notDefault, err := c.ClustergroupgetWithResponse(x, "only-second", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, notDefault.StatusCode(), "the default sandbox cluster is another cluster")

	// MCP (Go SDK client): list-upstreams, and the upstream argument.
	sess, err := mcpSession(t, gate.MCPURL, adminKey)
	require.NoError(t, err)
	listed := call(t, sess, "list-upstreams", map[string]any{})
	require.False(t, listed.IsError, text(listed))
	assert.Contains(t, text(listed), `"name":"sandbox-2"`)
	viaMCP := call(t, sess, "create-cluster-group", map[string]any{"upstream": "sandbox-2", "body": map[string]any{"name": "via-mcp"}})
	require.False(t, viaMCP.IsError, text(viaMCP))
	onSecond, err := c.ClustergroupgetWithResponse(x, "via-mcp", &gen.ClustergroupgetParams{Upstream: &second})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, onSecond.StatusCode(), "the MCP call went to sandbox-2")
	onDefault, err := c.ClustergroupgetWithResponse(x, "via-mcp", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, onDefault.StatusCode(), "and not to the default")
}

// TestAcceptedNamesItsUpstream: a 202 started on a named upstream is
// followed on that upstream: the REST Location and the MCP follow-up
// arguments carry it.
func TestAcceptedNamesItsUpstream(t *testing.T) {
	gate := cgtest.Start(t, nil)
	cc, err := capi.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	name := "default"
	created, err := cc.CreateclusterWithResponse(ctx(t), "default", &capi.CreateclusterParams{Upstream: &name}, newCluster("on-upstream"))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, created.StatusCode(), string(created.Body))
	assert.Equal(t, "/v1/capi/namespaces/default/clusters/on-upstream?upstream=default", created.HTTPResponse.Header.Get("Location"))

	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	res := call(t, s, "create_cluster", map[string]any{"namespace": "default", "upstream": "default", "body": newCluster("on-upstream-mcp")})
	require.False(t, res.IsError, text(res))
	assert.Contains(t, text(res), `follow it with the tool get_cluster and the arguments {"name":"on-upstream-mcp","namespace":"default","upstream":"default"}`)
}
