package specgen

import (
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// facadeResponses derives a route's success responses. Incus wraps every
// answer in an envelope ({type, status_code, metadata}); the facade returns
// the resource itself: a sync envelope becomes its metadata, an empty one 204,
// and an async one 200 (the finished operation) plus 202 (still running).
// Errors share one `default` response with the facade's Error schema, a
// reference to components.responses (sharedResponses).
func facadeResponses(r Route, up *openapi3.Operation, doc *openapi3.T, rep *Repairs) (*openapi3.Responses, error) {
	out := openapi3.NewResponses()
	out.Delete("default")
	codes := up.Responses.Map()
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, code := range keys {
		if len(code) != 3 || code[0] != '2' {
			continue
		}
		resp := resolveResponse(codes[code], doc)
		if resp == nil {
			return nil, fmt.Errorf("route %s: upstream response %s cannot be resolved", r.Name, code)
		}
		for c, v := range unwrapEnvelope(code, resp, doc) {
			out.Set(c, &openapi3.ResponseRef{Value: v})
		}
		if codes[code].Ref != "" {
			rep.add("%s: inlined upstream response %s", r.Name, codes[code].Ref)
		}
	}
	if out.Len() == 0 {
		return nil, fmt.Errorf("route %s: upstream documents no success response", r.Name)
	}
	out.Set("default", &openapi3.ResponseRef{Ref: "#/components/responses/" + defaultErrorName})
	return out, nil
}

func resolveResponse(rr *openapi3.ResponseRef, doc *openapi3.T) *openapi3.Response {
	if rr.Ref != "" {
		if v := doc.Components.Responses[refName(rr.Ref)]; v != nil {
			return v.Value
		}
		return nil
	}
	return rr.Value
}

// unwrapEnvelope returns the facade responses for one upstream success
// response, keyed by status code.
func unwrapEnvelope(code string, resp *openapi3.Response, doc *openapi3.T) map[string]*openapi3.Response {
	mt := resp.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return map[string]*openapi3.Response{"204": noContent()}
	}
	env := mt.Schema.Value
	if mt.Schema.Ref != "" {
		env = doc.Components.Schemas[refName(mt.Schema.Ref)].Value
	}
	if env == nil || env.Properties["status_code"] == nil { // not an envelope
		cp := *resp
		if cp.Description == nil || *cp.Description == "" {
			cp.Description = openapi3.Ptr("Success")
		}
		return map[string]*openapi3.Response{code: &cp}
	}
	meta := env.Properties["metadata"]
	if meta == nil {
		return map[string]*openapi3.Response{"204": noContent()}
	}
	desc := "The resource"
	if resp.Description != nil && *resp.Description != "" {
		desc = *resp.Description
	}
	if env.Properties["operation"] != nil { // async envelope
		return map[string]*openapi3.Response{
			"200": jsonResponse("The operation finished within the request deadline", meta),
			"202": jsonResponse("The operation is still running; poll it by id", meta),
		}
	}
	return map[string]*openapi3.Response{"200": jsonResponse(desc, meta)}
}

func jsonResponse(desc string, schema *openapi3.SchemaRef) *openapi3.Response {
	return openapi3.NewResponse().WithDescription(desc).WithJSONSchemaRef(schema)
}

func noContent() *openapi3.Response {
	return openapi3.NewResponse().WithDescription("Done; no content")
}

// defaultErrorName is the `default` response's entry in
// components.responses. Not "Error": oapi-codegen names a type after each
// shared response, and the schema already is Error.
const defaultErrorName = "DefaultError"

// sharedResponses are the responses every facade defines once, for its
// operations to reference: each process parses the facades at start, and a
// copy per operation made them larger for nothing.
func sharedResponses() openapi3.ResponseBodies {
	return openapi3.ResponseBodies{defaultErrorName: &openapi3.ResponseRef{
		Value: jsonResponse("Error", openapi3.NewSchemaRef("#/components/schemas/Error", nil))}}
}
