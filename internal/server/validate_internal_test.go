package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
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
			assert.NotNil(t, r.bodiless, "%s %s: the security check is left out without a body", op.Method, op.Path)
			for _, val := range values {
				p := anyParam.ReplaceAllLiteralString(op.Path, val)
				for _, path := range []string{p, p + "/", strings.Replace(p, "/v1/", "//v1/", 1), p + "/x"} {
					for _, body := range []string{"", `{"description":"x"}`} {
						sameRoute(t, mux, r, &v.opts.Options, op.Method, path, body)
					}
				}
			}
		}
	}
}

// sameRoute compares r with kin's gorilla/mux router on one request, and
// the validation of that request with either's route.
func sameRoute(t *testing.T, mux routers.Router, r *fixedRoute, opts *openapi3filter.Options, method, path, body string) {
	t.Helper()
	request := func() *http.Request {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, "http://clustergate"+path+"?upstream=a", rd)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return req
	}
	wantRoute, wantParams, wantErr := mux.FindRoute(request())
	req := request()
	route, params, err := r.FindRoute(req)
	assert.Equal(t, wantErr, err, "%s %s", method, path)
	assert.Equal(t, wantParams, params, "%s %s", method, path)
	if wantRoute == nil || !assert.NotNil(t, route, "%s %s", method, path) {
		return
	}
	assert.True(t, wantRoute.Spec == route.Spec && wantRoute.Server == route.Server && wantRoute.PathItem == route.PathItem,
		"%s %s: not the same spec, server or path item", method, path)
	assert.Equal(t, wantRoute.Path+" "+wantRoute.Method, route.Path+" "+route.Method)
	if route.Operation != wantRoute.Operation { // the bodiless route
		assert.Equal(t, http.NoBody, req.Body, "%s %s: a request with a body keeps the security check", method, path)
		op := *route.Operation
		op.Security = wantRoute.Operation.Security
		assert.Equal(t, *wantRoute.Operation, op, "%s %s: the operation differs beyond its security", method, path)
	}
	validate := func(route *routers.Route, params map[string]string) string {
		err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
			Request: request(), PathParams: params, Route: route, Options: opts})
		return fmt.Sprint(err)
	}
	assert.Equal(t, validate(wantRoute, wantParams), validate(route, params), "%s %s: validation", method, path)
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

// TestSecurityCheckLeftOutOnlyWhenItPasses: kin's security check with the
// no-op authenticator refuses a request only when every requirement names
// a scheme the spec does not declare; only then must it still run.
func TestSecurityCheckLeftOutOnlyWhenItPasses(t *testing.T) {
	spec := &openapi3.T{Components: &openapi3.Components{SecuritySchemes: openapi3.SecuritySchemes{
		"bearer": &openapi3.SecuritySchemeRef{Value: openapi3.NewJWTSecurityScheme()}}}}
	for _, c := range []struct {
		name     string
		security openapi3.SecurityRequirements
		want     bool
	}{
		{"declared", openapi3.SecurityRequirements{{"bearer": {}}}, true},
		{"undeclared", openapi3.SecurityRequirements{{"other": {}}}, false},
		{"one of two declared", openapi3.SecurityRequirements{{"other": {}}, {"bearer": {}}}, true},
		{"half declared", openapi3.SecurityRequirements{{"other": {}, "bearer": {}}}, false},
		{"none: nothing to leave out", openapi3.SecurityRequirements{}, false},
	} {
		spec.Security = c.security
		assert.Equal(t, c.want, passesWithoutBody(spec, &openapi3.Operation{}), c.name)
	}
}
