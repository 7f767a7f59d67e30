package server

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/internal/catalog"
)

// TestFixedRoutesFindWhatGorillaMuxFinds: the validator's routes known at
// start must give the route, parameters and error that kin-openapi's
// gorilla/mux router (what oapimw's middleware used) gives, for every
// operation of every facade spec, with plain, escaped, empty and
// literal-looking parameter values and paths that only nearly match.
func TestFixedRoutesFindWhatGorillaMuxFinds(t *testing.T) {
	values := []string{"bench1", "a%20b", "a%2Fb", "%E2%82%AC", "", "token", "inspect", "members-recursion-1", "a.b"}
	for name, load := range map[string]func() (*openapi3.T, error){
		"incus-cluster": incuscluster.GetSwagger, "portworx-clusterpair": portworxclusterpair.GetSwagger, "capi-clusters": capiclusters.GetSwagger,
	} {
		spec, err := load()
		require.NoError(t, err)
		ops, err := catalog.FromSpec(name, spec)
		require.NoError(t, err)
		v, err := newValidators(spec, ops)
		require.NoError(t, err)
		mux, err := gorillamux.NewRouter(spec)
		require.NoError(t, err)
		for _, op := range ops {
			r := v.routes[op.Key()]
			// gorilla/mux tries .../token first, whatever the method
			assert.Equal(t, op.Path != "/v1/v1/clusterpairs/{cluster-id}", r.fast, "%s %s: the route known at start is used", op.Method, op.Path)
			for _, val := range values {
				p := anyParam.ReplaceAllLiteralString(op.Path, val)
				for _, path := range []string{p, p + "/", strings.Replace(p, "/v1/", "//v1/", 1), p + "/x"} {
					req := httptest.NewRequest(op.Method, "http://clustergate"+path+"?upstream=a", nil)
					wantRoute, wantParams, wantErr := mux.FindRoute(req)
					route, params, err := r.FindRoute(req)
					assert.Equal(t, wantErr, err, "%s %s", op.Method, path)
					assert.Equal(t, wantParams, params, "%s %s", op.Method, path)
					if wantRoute != nil && assert.NotNil(t, route, "%s %s", op.Method, path) {
						assert.True(t, wantRoute.Spec == route.Spec && wantRoute.Server == route.Server &&
							wantRoute.PathItem == route.PathItem && wantRoute.Operation == route.Operation,
							"%s %s: not the same spec, server, path item or operation", op.Method, path)
						assert.Equal(t, wantRoute.Path+" "+wantRoute.Method, route.Path+" "+route.Method)
					}
				}
			}
		}
	}
}

// anyParam is every {param} of a template.
var anyParam = regexp.MustCompile(`\{[^}]+\}`)

// TestValidatorsRefuseAnOperationTheSpecLacks: a surface whose operation
// list and spec disagree fails at start with an error, not a panic.
func TestValidatorsRefuseAnOperationTheSpecLacks(t *testing.T) {
	spec, err := incuscluster.GetSwagger()
	require.NoError(t, err)
	ops := []catalog.Op{{Method: "GET", Path: "/v1/nowhere/{name}", EchoPath: "/v1/nowhere/:name"}}
	_, err = newValidators(spec, ops)
	require.EqualError(t, err, "request validator: GET /v1/nowhere/{name}: no such operation in the spec")
}
