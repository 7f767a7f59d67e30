package specgen

import (
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Route is one facade operation: where it is served, what it calls upstream,
// and the MCP tool it becomes.
type Route struct {
	Name        string // operationId
	Method      string // upper case
	Path        string // facade path under /v1
	Description string // the capability's words
	Upstream    OpRef  // upstream path (may carry a query) and method
	Inputs      []InputParam
	Tool        *Tool
}

// Routes joins a capability's REST routes with the consumed operations and
// tools they call.
func Routes(c *Capability) ([]Route, error) {
	consumed, tools := c.ConsumedOps(), c.ToolsByCall()
	var routes []Route
	for _, op := range c.RESTOps() {
		up, ok := consumed[op.Call]
		if !ok {
			return nil, fmt.Errorf("route %s %s calls %q, which the capability does not consume", op.Method, op.Path, op.Call)
		}
		r := Route{Name: op.Name, Method: op.Method, Path: op.Path, Description: op.Description,
			Upstream: OpRef{Path: up.Path, Method: up.Method}, Inputs: up.Inputs}
		if t, ok := tools[op.Call]; ok {
			r.Tool = &t
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// buildOperation derives the facade operation of a route from its upstream
// operation: parameters renamed to the facade path, descriptions from the
// capability, envelopes unwrapped, and the x- extensions set.
func buildOperation(r Route, surface string, up *openapi3.Operation, doc *openapi3.T, rep *Repairs) (*openapi3.Operation, error) {
	op := &openapi3.Operation{
		OperationID: r.Name,
		Summary:     r.Description,
		Description: fmt.Sprintf("%s. Calls the upstream's %s %s.", strings.TrimSuffix(r.Description, "."), r.Upstream.Method, r.Upstream.Path),
		Tags:        []string{surface},
		Extensions:  map[string]any{vocab.ExtUpstream: map[string]any{"method": r.Upstream.Method, "path": r.Upstream.Path, "operationId": up.OperationID}},
	}
	if r.Tool != nil {
		op.Extensions[vocab.ExtTool] = r.Tool.Name
		op.Extensions[vocab.ExtHints] = r.Tool.Hints
	}
	params, err := facadeParams(r, up, doc)
	if err != nil {
		return nil, err
	}
	op.Parameters = params
	if up.RequestBody != nil {
		body := resolveBody(up.RequestBody, doc)
		if d := inputDescription(r, "body"); d != "" {
			body.Description = d
		}
		op.RequestBody = &openapi3.RequestBodyRef{Value: body}
	}
	op.Responses, err = facadeResponses(r, up, doc, rep)
	if err != nil {
		return nil, err
	}
	if documents412(up) {
		op.Parameters = append(op.Parameters, ifMatchParam())
	}
	op.Parameters = append(op.Parameters, upstreamParam())
	return op, nil
}

// facadeParams maps upstream path parameters onto the facade path's names by
// position (OpenStorage's {cluster_id} is served as {cluster-id}) and keeps
// query and header parameters, with the capability's descriptions.
func facadeParams(r Route, up *openapi3.Operation, doc *openapi3.T) (openapi3.Parameters, error) {
	upPath, _, _ := strings.Cut(r.Upstream.Path, "?")
	upNames, facadeNames := templateParams(upPath), templateParams(r.Path)
	if len(upNames) != len(facadeNames) {
		return nil, fmt.Errorf("route %s %s has %d path parameters, upstream %s has %d",
			r.Method, r.Path, len(facadeNames), upPath, len(upNames))
	}
	rename := map[string]string{}
	for i, n := range upNames {
		rename[n] = facadeNames[i]
	}
	var out openapi3.Parameters
	for _, pr := range up.Parameters {
		p := resolveParam(pr, doc)
		cp := *p
		if cp.In == openapi3.ParameterInPath {
			cp.Name = rename[cp.Name]
		}
		if d := inputDescription(r, p.Name); d != "" {
			cp.Description = d
		}
		out = append(out, &openapi3.ParameterRef{Value: &cp})
	}
	return out, nil
}

func templateParams(path string) []string {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		names = append(names, m[1])
	}
	return names
}

func inputDescription(r Route, name string) string {
	for _, in := range r.Inputs {
		if in.Name == name || (name == "body" && in.In == "body") {
			return in.Description
		}
	}
	return ""
}

func resolveParam(pr *openapi3.ParameterRef, doc *openapi3.T) *openapi3.Parameter {
	if pr.Value != nil || pr.Ref == "" {
		return pr.Value
	}
	return doc.Components.Parameters[refName(pr.Ref)].Value
}

func resolveBody(br *openapi3.RequestBodyRef, doc *openapi3.T) *openapi3.RequestBody {
	if br.Ref != "" {
		if v := doc.Components.RequestBodies[refName(br.Ref)]; v != nil && v.Value != nil {
			cp := *v.Value
			return &cp
		}
	}
	cp := *br.Value
	return &cp
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func documents412(up *openapi3.Operation) bool {
	return up.Responses != nil && up.Responses.Value("412") != nil
}

// ifMatchParam is added to every operation whose upstream documents 412: the
// facade passes the header through so concurrent writers cannot overwrite
// each other.
func ifMatchParam() *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Value: &openapi3.Parameter{
		Name: "If-Match", In: openapi3.ParameterInHeader,
		Description: "ETag from a previous read; the write fails with 412 when the resource changed since.",
		Schema:      &openapi3.SchemaRef{Value: openapi3.NewStringSchema()},
	}}
}

// UpstreamParam is the query parameter every facade operation takes to
// choose one of its surface's named upstreams (GET /v1/upstreams lists
// them); omitted, the surface's default answers.
const UpstreamParam = "upstream"

// upstreamParamName is the upstream parameter's entry in
// components.parameters.
const upstreamParamName = "Upstream"

// upstreamParam is added to every operation, so the served spec, the
// generated client and every MCP tool offer it. It is a reference to one
// shared definition (sharedParams): every process parses the facade at start,
// and a copy per operation was a large share of each document.
func upstreamParam() *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Ref: "#/components/parameters/" + upstreamParamName}
}

// sharedParams are the parameters every facade defines once, in
// components.parameters, for its operations to reference.
func sharedParams() openapi3.ParametersMap {
	s := openapi3.NewStringSchema()
	s.Pattern = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
	return openapi3.ParametersMap{upstreamParamName: &openapi3.ParameterRef{Value: &openapi3.Parameter{
		Name: UpstreamParam, In: openapi3.ParameterInQuery,
		Description: "Name of the upstream (cluster) to call, as GET /v1/upstreams lists them; omitted, the surface's default.",
		Schema:      &openapi3.SchemaRef{Value: s},
	}}}
}
