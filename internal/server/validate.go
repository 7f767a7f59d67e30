package server

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	oapimw "github.com/oapi-codegen/echo-middleware"

	"github.com/clustergate/clustergate/internal/catalog"
)

// validators check requests of one surface's routes against its spec:
// parameters and bodies that do not match get a 400 naming the field.
//
// oapimw's own middleware finds the kin-openapi route of every request
// again with a gorilla/mux router (regexps over every path of the spec),
// although Echo has already matched the operation: 3-4% of a served request's
// CPU. Here each operation gets its kin-openapi route at start and the
// validation itself stays oapimw.ValidateRequestFromContext, so statuses and
// messages are the library's. The route's path parameters are read from the
// escaped path as gorilla/mux reads them, by the template's segments (Echo's
// values come from the unescaped path unless the raw one differs: a %20
// would be a space there and "%20" for kin before); a request the
// template does not match as gorilla/mux would, and every route another
// path of the spec could shadow in gorilla's matching order, still goes
// through the gorilla/mux router. A request without a body skips kin's security check
// where it cannot refuse (see fixedRoute.bodiless).
type validators struct {
	opts   *oapimw.Options
	routes map[string]*fixedRoute // by catalog.Op.Key
}

func newValidators(spec *openapi3.T, ops []catalog.Op) (*validators, error) {
	fallback, err := gorillamux.NewRouter(spec)
	if err != nil {
		return nil, fmt.Errorf("request validator: %w", err)
	}
	order := spec.Paths.InMatchingOrder()
	v := &validators{routes: map[string]*fixedRoute{}, opts: &oapimw.Options{
		SilenceServersWarning: true,
		// Keys are checked by requireKey before validation (and
		// passesWithoutBody counts on this no-op).
		Options: openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}}
	for _, op := range ops {
		r, err := newFixedRoute(spec, order, op, fallback)
		if err != nil {
			return nil, fmt.Errorf("request validator: %w", err)
		}
		v.routes[op.Key()] = r
	}
	return v, nil
}

// middleware validates the requests of op (the chain gives it only op's).
func (v *validators) middleware(op catalog.Op) echo.MiddlewareFunc {
	r := v.routes[op.Key()]
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := oapimw.ValidateRequestFromContext(c, r, v.opts); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// fixedRoute is a routers.Router that knows its route: it checks the
// request's path against the template and reads the parameters, and asks
// the gorilla/mux router for anything else.
type fixedRoute struct {
	route *routers.Route
	// bodiless is route for a request without a body: its operation's
	// security requirements are left out, as with no body to read kin's
	// check of them with the no-op authenticator can only pass (nil when
	// one of them names an undeclared scheme, kin's one refusal).
	bodiless *routers.Route
	parts    []string // the template's segments after the leading slash
	vars     []string // per segment, the parameter's name; "" for a literal
	fast     bool     // false: always ask the fallback
	fallback routers.Router
}

// singleVar is a segment that is one parameter of gorilla's default pattern.
var singleVar = regexp.MustCompile(`^\{([^{}:]+)\}$`)

func newFixedRoute(spec *openapi3.T, order []string, op catalog.Op, fallback routers.Router) (*fixedRoute, error) {
	item := spec.Paths.Value(op.Path)
	if item == nil || item.GetOperation(op.Method) == nil {
		return nil, fmt.Errorf("%s %s: no such operation in the spec", op.Method, op.Path)
	}
	servers := spec.Servers
	if len(item.Servers) > 0 {
		servers = item.Servers
	}
	r := &fixedRoute{fallback: fallback, route: &routers.Route{Spec: spec, Path: op.Path, PathItem: item,
		Method: op.Method, Operation: item.GetOperation(op.Method)}}
	if len(servers) > 0 {
		r.route.Server = servers[0]
	}
	if passesWithoutBody(spec, r.route.Operation) {
		op := *r.route.Operation
		op.Security = &openapi3.SecurityRequirements{}
		bodiless := *r.route
		bodiless.Operation = &op
		r.bodiless = &bodiless
	}
	var simple bool
	r.parts, r.vars, simple = splitTemplate(op.Path)
	r.fast = simple && rootServers(servers) && !shadowed(order, op.Path)
	return r, nil
}

// FindRoute gives the route and its parameters as gorilla/mux would.
func (r *fixedRoute) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	if r.fast && req.Method == r.route.Method {
		if params, ok := r.match(req.URL.EscapedPath()); ok {
			if r.bodiless != nil && (req.Body == nil || req.Body == http.NoBody) {
				return r.bodiless, params, nil
			}
			return r.route, params, nil
		}
	}
	return r.fallback.FindRoute(req)
}

// passesWithoutBody says whether kin's security check of op passes for
// every request without a body under the validators' options (the no-op
// authenticator): when one of the requirements names only declared
// schemes. It is 1.4% of a served GET's CPU (the requirement's names
// sorted, an input per scheme) for no refusal.
func passesWithoutBody(spec *openapi3.T, op *openapi3.Operation) bool {
	security := op.Security
	if security == nil {
		security = &spec.Security
	}
	if len(*security) == 0 {
		return false // kin returns at once: nothing to save
	}
	var schemes openapi3.SecuritySchemes
	if spec.Components != nil {
		schemes = spec.Components.SecuritySchemes
	}
	for _, req := range *security {
		declared := true
		for name := range req {
			if ref := schemes[name]; ref == nil || ref.Value == nil {
				declared = false
			}
		}
		if declared {
			return true
		}
	}
	return false
}

// match matches path as gorilla/mux's ^template$ with [^/]+ parameters does.
func (r *fixedRoute) match(path string) (map[string]string, bool) {
	params := make(map[string]string, len(r.vars))
	for i, part := range r.parts {
		if path == "" || path[0] != '/' {
			return nil, false
		}
		path = path[1:]
		seg := path
		if j := strings.IndexByte(path, '/'); j >= 0 {
			seg = path[:j]
		}
		path = path[len(seg):]
		switch {
		case r.vars[i] == "":
			if seg != part {
				return nil, false
			}
		case seg == "":
			return nil, false
		default:
			params[r.vars[i]] = seg
		}
	}
	return params, path == ""
}

// splitTemplate splits a path template into its segments and their
// parameter names; simple is false when a segment is more than a literal
// or one parameter (a pattern, a prefix), which only gorilla/mux matches.
func splitTemplate(path string) (parts, vars []string, simple bool) {
	if !strings.HasPrefix(path, "/") {
		return nil, nil, false
	}
	parts = strings.Split(path[1:], "/")
	vars = make([]string, len(parts))
	for i, p := range parts {
		if m := singleVar.FindStringSubmatch(p); m != nil {
			vars[i] = m[1]
		} else if strings.ContainsAny(p, "{}") {
			return nil, nil, false
		}
	}
	return parts, vars, true
}

// rootServers says whether the servers add nothing to gorilla/mux's match
// (no host, scheme or base path): none, or only "/".
func rootServers(servers openapi3.Servers) bool {
	for _, s := range servers {
		if (s.URL != "/" && s.URL != "") || len(s.Variables) > 0 {
			return false
		}
	}
	return true
}

// shadowed says whether a path gorilla/mux tries before path could match a
// request path matches (gorilla takes the first path that matches, whatever
// the method).
func shadowed(order []string, path string) bool {
	parts, vars, _ := splitTemplate(path)
	for _, other := range order {
		if other == path {
			return false
		}
		oparts, ovars, simple := splitTemplate(other)
		if !simple {
			return true
		}
		if overlap(parts, vars, oparts, ovars) {
			return true
		}
	}
	return true // path is not in the spec: never reached (newFixedRoute checked)
}

func overlap(parts, vars, oparts, ovars []string) bool {
	if len(parts) != len(oparts) {
		return false
	}
	for i := range parts {
		if vars[i] == "" && ovars[i] == "" && parts[i] != oparts[i] {
			return false
		}
	}
	return true
}
