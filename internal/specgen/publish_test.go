package specgen

import (
	"sort"
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errorCodes lists the 4xx and 5xx answers op declares, sorted.
func errorCodes(op *openapi3.Operation) []int {
	var codes []int
	for k := range op.Responses.Map() {
		if n, err := strconv.Atoi(k); err == nil && n >= 400 {
			codes = append(codes, n)
		}
	}
	sort.Ints(codes)
	return codes
}

// TestEveryOperationDeclaresTheErrorsItGives pins the rule on operations of
// each kind, from what each one is (the expected lists are the contract,
// written out, not derived): a parameterless read, a write with a body and
// If-Match, a destructive delete, a sensitive read, and a route the overlay
// adds (x-extra-operations), which gets its answers without a line of its own.
func TestEveryOperationDeclaresTheErrorsItGives(t *testing.T) {
	docs, _ := generated(t)
	incus, px := docs["incus-cluster"], docs["portworx-clusterpair"]
	cases := []struct {
		name string
		op   *openapi3.Operation
		want []int
	}{
		// Every operation takes the optional upstream query parameter: 400 (bad
		// name), 403 (outside the key's scope) and 404 (unknown upstream).
		{"read, no other input", incus.Paths.Value("/v1/1-0/cluster").Get, []int{400, 401, 403, 404, 429, 502, 503, 504}},
		{"read with a path parameter", incus.Paths.Value("/v1/1-0/cluster/members/{name}").Get, []int{400, 401, 403, 404, 429, 502, 503, 504}},
		{"write with body and If-Match", incus.Paths.Value("/v1/1-0/cluster/members/{name}").Put,
			[]int{400, 401, 403, 404, 409, 412, 413, 415, 429, 502, 503, 504}},
		{"destructive delete", incus.Paths.Value("/v1/1-0/cluster/members/{name}").Delete, []int{400, 401, 403, 404, 409, 429, 502, 503, 504}},
		{"sensitive read", px.Paths.Value("/v1/v1/clusterpairs/token").Get, []int{400, 401, 403, 404, 429, 502, 503, 504}},
		{"overlay route", incus.Paths.Value("/v1/1-0/operations/{id}").Get, []int{400, 401, 403, 404, 429, 502, 503, 504}},
	}
	for _, tc := range cases {
		require.NotNil(t, tc.op, tc.name)
		assert.Equal(t, tc.want, errorCodes(tc.op), tc.name)
		for _, code := range tc.want {
			r := tc.op.Responses.Value(strconv.Itoa(code)).Value
			assert.Equal(t, "#/components/schemas/Error", r.Content.Get("application/json").Schema.Ref, "%s: %d", tc.name, code)
		}
	}
}

func TestEveryFacadeSaysWhoItIsAndWhereItIsServed(t *testing.T) {
	docs, _ := generated(t)
	require.Len(t, docs, 3)
	for name, doc := range docs {
		assert.Equal(t, "clustergate maintainers", doc.Info.Contact.Name, name)
		require.NotNil(t, doc.Info.License, name)
		assert.NotEmpty(t, doc.Info.License.Name, name)
		require.Len(t, doc.Servers, 1, name)
		assert.Equal(t, "/", doc.Servers[0].URL, name)
		require.Len(t, doc.Tags, 1, name)
		assert.Equal(t, name, doc.Tags[0].Name)
		assert.NotEmpty(t, doc.Tags[0].Description)
	}
}
