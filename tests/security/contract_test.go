package security

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/vocab"
)

// rule is one row of the access contract.
type rule struct {
	method, route string
	role          vocab.Role
	readOnly      bool // served in --read-only
	destructive   bool // refused with --disable-destructive
	sensitive     bool // reveals or takes a secret: audited even when it reads
}

// contract is the product's access contract, written by hand: who may call
// each route, and which modes refuse it. It is the oracle for the
// derivation (catalog/vocab), the README route table and the auth matrix;
// none of them may compute it. A new route fails these tests until a
// reviewer adds its row here.
var contract = []rule{
	{"GET", "/v1/1-0/cluster", vocab.Viewer, true, false, false},
	{"PUT", "/v1/1-0/cluster", vocab.Operator, false, false, false},
	{"PUT", "/v1/1-0/cluster/certificate", vocab.Admin, false, false, true},
	{"GET", "/v1/1-0/cluster/groups", vocab.Viewer, true, false, false},
	{"POST", "/v1/1-0/cluster/groups", vocab.Operator, false, false, false},
	{"DELETE", "/v1/1-0/cluster/groups/{name}", vocab.Admin, false, true, false},
	{"GET", "/v1/1-0/cluster/groups/{name}", vocab.Viewer, true, false, false},
	{"PATCH", "/v1/1-0/cluster/groups/{name}", vocab.Operator, false, false, false},
	{"PUT", "/v1/1-0/cluster/groups/{name}", vocab.Operator, false, false, false},
	{"GET", "/v1/1-0/cluster/members", vocab.Viewer, true, false, false},
	{"POST", "/v1/1-0/cluster/members", vocab.Admin, false, false, true},
	{"GET", "/v1/1-0/cluster/members-recursion-1", vocab.Viewer, true, false, false},
	{"DELETE", "/v1/1-0/cluster/members/{name}", vocab.Admin, false, true, false},
	{"GET", "/v1/1-0/cluster/members/{name}", vocab.Viewer, true, false, false},
	{"PATCH", "/v1/1-0/cluster/members/{name}", vocab.Operator, false, false, false},
	{"POST", "/v1/1-0/cluster/members/{name}", vocab.Operator, false, false, false},
	{"PUT", "/v1/1-0/cluster/members/{name}", vocab.Operator, false, false, false},
	{"GET", "/v1/1-0/cluster/members/{name}/state", vocab.Viewer, true, false, false},
	{"POST", "/v1/1-0/cluster/members/{name}/state", vocab.Admin, false, true, false},
	{"GET", "/v1/1-0/operations/{id}", vocab.Viewer, true, false, false},
	{"GET", "/v1/v1/clusterpairs", vocab.Viewer, true, false, false},
	{"POST", "/v1/v1/clusterpairs", vocab.Operator, false, false, false},
	{"GET", "/v1/v1/clusterpairs/inspect/{id}", vocab.Viewer, true, false, false},
	{"GET", "/v1/v1/clusterpairs/token", vocab.Admin, true, false, true},
	{"POST", "/v1/v1/clusterpairs/token", vocab.Admin, false, true, true},
	// clustergate's own listing of its upstreams (no upstream answers it).
	{"GET", "/v1/upstreams", vocab.Viewer, true, false, false},
	{"DELETE", "/v1/v1/clusterpairs/{cluster-id}", vocab.Admin, false, true, false},
	{"GET", "/v1/capi/clusters", vocab.Viewer, true, false, false},
	{"GET", "/v1/capi/clustertemplates", vocab.Viewer, true, false, false},
	{"GET", "/v1/capi/namespaces/{namespace}/clusters", vocab.Viewer, true, false, false},
	{"POST", "/v1/capi/namespaces/{namespace}/clusters", vocab.Operator, false, false, false},
	{"DELETE", "/v1/capi/namespaces/{namespace}/clusters/{name}", vocab.Admin, false, true, false},
	{"GET", "/v1/capi/namespaces/{namespace}/clusters/{name}", vocab.Viewer, true, false, false},
	{"GET", "/v1/capi/namespaces/{namespace}/clusters/{name}/kubeconfig", vocab.Admin, true, false, true},
	{"GET", "/v1/capi/namespaces/{namespace}/clusters/{name}/nodes", vocab.Viewer, true, false, false},
	{"POST", "/v1/capi/namespaces/{namespace}/clusters/{name}/scale", vocab.Admin, false, true, false},
	{"GET", "/v1/capi/namespaces/{namespace}/clustertemplates", vocab.Viewer, true, false, false},
}

func contractByRoute() map[string]rule {
	m := map[string]rule{}
	for _, r := range contract {
		m[r.method+" "+r.route] = r
	}
	return m
}

// TestDerivationMatchesTheContract checks the role and modes the code
// derives for every operation against the hand-written contract, both ways.
func TestDerivationMatchesTheContract(t *testing.T) {
	want := contractByRoute()
	require.Len(t, want, len(contract), "a route is listed twice in the contract")
	ops := start(t).Stack.Ops
	seen := map[string]bool{}
	for _, op := range ops {
		key := op.Method + " " + op.Path
		seen[key] = true
		r, ok := want[key]
		if !assert.True(t, ok, "%s (%s) is not in the access contract: add its row", key, op.OperationID) {
			continue
		}
		assert.Equal(t, r.role, op.RequiredRole(), "%s role", key)
		assert.Equal(t, r.readOnly, catalog.Mode{ReadOnly: true}.Refusal(op) == "", "%s in --read-only", key)
		assert.Equal(t, r.destructive, catalog.Mode{DisableDestructive: true}.Refusal(op) != "", "%s in --disable-destructive", key)
		assert.Equal(t, r.sensitive, op.Safety.Sensitive, "%s sensitive", key)
	}
	for key := range want {
		assert.True(t, seen[key], "the contract lists %s, which no spec serves", key)
	}
}

var readmeRow = regexp.MustCompile("^\\| (\\w+) \\| `([^`]+)` \\| \\S+ \\| \\S+ \\| (\\w+) \\| ([^|]+) \\|$")

// TestReadmeRouteTableMatchesTheContract reads README.md's generated route
// table (kept current by tests/tools) and checks each row's role and class
// against the contract.
func TestReadmeRouteTableMatchesTheContract(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	want := contractByRoute()
	var got []string
	for _, line := range strings.Split(string(raw), "\n") {
		m := readmeRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := m[1] + " " + m[2]
		got = append(got, key)
		r, ok := want[key]
		if !assert.True(t, ok, "README lists %s, which the contract does not", key) {
			continue
		}
		assert.Equal(t, string(r.role), m[3], "README role of %s", key)
		class := strings.TrimSpace(m[4])
		assert.Equal(t, r.readOnly, strings.HasPrefix(class, "read"), "README class of %s: %s", key, class)
		assert.Equal(t, r.destructive, strings.HasPrefix(class, "destructive"), "README class of %s: %s", key, class)
		assert.Equal(t, r.sensitive, strings.HasSuffix(class, "sensitive"), "README class of %s: %s", key, class)
	}
	var all []string
	for k := range want {
		all = append(all, k)
	}
	sort.Strings(all)
	sort.Strings(got)
	assert.Equal(t, all, got, "README's route table and the contract list the same routes")
}
