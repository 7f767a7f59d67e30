package apidiff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The contract as issue 14 states it: removing an operation from a
// capability document breaks the released route and its MCP tool, and the
// gate names both with oasdiff's rule id; an acknowledgement lets it pass.
func TestCheckAPIFailsOnARemovedOperationUntilAcknowledged(t *testing.T) {
	dir := gateCopy(t)
	editYAML(t, filepath.Join(dir, "openapi/capabilities/incus-cluster.yaml"),
		removeRESTOperation(t, "/v1/1-0/cluster/members/{name}", "DELETE"))
	mustRun(t, dir, "go", "run", "./cmd/specgen", "-gomod=")

	out, err := run(t, dir, "make", "check-api")
	require.Error(t, err, "the gate must fail")
	breaking := section(out, "BREAKING, not acknowledged")
	assert.Contains(t, breaking, "api-removed-without-deprecation  DELETE /v1/1-0/cluster/members/{name}  (tool delete-cluster-member)")
	assert.Contains(t, breaking, "tool-removed  tool delete-cluster-member  (DELETE /v1/1-0/cluster/members/{name})")
	assert.Contains(t, out, "check-api: FAIL")

	acks := `acknowledged:
  - route: DELETE /v1/1-0/cluster/members/{name}
    rule: api-removed-without-deprecation
    reason: members leave through evacuate and the upstream's own tooling
    version: 2.0.0
  - tool: delete-cluster-member
    rule: tool-removed
    reason: the route it calls is gone
    version: 2.0.0
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "openapi/breaking-changes.yaml"), []byte(acks), 0o644))
	out = mustRun(t, dir, "make", "check-api")
	assert.Contains(t, out, "2 breaking (2 acknowledged)")
	assert.Contains(t, out, "acknowledged for 2.0.0: error    tool-removed  tool delete-cluster-member")
	assert.Contains(t, out, "check-api: ok")
}

// An optional response field is a compatible change: no acknowledgement.
func TestCheckAPIPassesAnAddedOptionalResponseField(t *testing.T) {
	dir := gateCopy(t)
	editYAML(t, filepath.Join(dir, "openapi/overlays/incus-cluster.yaml"), func(doc map[string]any) {
		member := dig(t, doc, "components", "schemas", "ClusterMember")
		props, _ := member["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
			member["properties"] = props
		}
		props["rack"] = map[string]any{"type": "string", "description": "Rack the member sits in"}
	})
	mustRun(t, dir, "go", "run", "./cmd/specgen", "-gomod=")

	out := mustRun(t, dir, "make", "check-api")
	assert.Contains(t, out, "check-api: ok")
	assert.Regexp(t, `: [1-9][0-9]* changes, 0 breaking`, out)
	other := section(out, "Not breaking:")
	assert.Contains(t, other, "response-optional-property-added  GET /v1/1-0/cluster/members/{name}  (tool get-cluster-member)")
	assert.Contains(t, other, "tool-output-field-added  tool get-cluster-member rack")
}

// removeRESTOperation drops one method of one route from a capability's
// REST exposure.
func removeRESTOperation(t *testing.T, path, method string) func(map[string]any) {
	return func(doc map[string]any) {
		for _, e := range dig(t, doc, "capability")["exposes"].([]any) {
			expose := e.(map[string]any)
			if expose["type"] != "rest" {
				continue
			}
			for _, r := range expose["resources"].([]any) {
				res := r.(map[string]any)
				if res["path"] != path {
					continue
				}
				var kept []any
				for _, o := range res["operations"].([]any) {
					if o.(map[string]any)["method"] != method {
						kept = append(kept, o)
					}
				}
				require.Len(t, kept, len(res["operations"].([]any))-1, "%s %s in the capability", method, path)
				res["operations"] = kept
				return
			}
		}
		t.Fatalf("no REST route %s in the capability", path)
	}
}

// dig walks (and creates) nested maps.
func dig(t *testing.T, doc map[string]any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		next, ok := doc[k].(map[string]any)
		if !ok {
			require.Nil(t, doc[k], "%s is not a map", k)
			next = map[string]any{}
			doc[k] = next
		}
		doc = next
	}
	return doc
}
