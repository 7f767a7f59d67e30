package app

import (
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/vocab"
)

// upstreamsSurface is the catalog surface of clustergate's own read-only
// operation GET /v1/upstreams: no upstream answers it, so it is described
// here rather than by specgen, and only for the MCP tool list-upstreams.
const upstreamsSurface = "clustergate"

// upstreamsOp is GET /v1/upstreams as an operation the MCP tools are derived
// from (the tool calls the route through the same handler chain).
func upstreamsOp() (catalog.Op, *openapi3.T) {
	line := openapi3.NewObjectSchema().
		WithProperty("surface", openapi3.NewStringSchema()).
		WithProperty("upstream", openapi3.NewStringSchema()).
		WithProperty("name", openapi3.NewStringSchema()).
		WithProperty("default", openapi3.NewBoolSchema()).
		WithProperty("backend", openapi3.NewStringSchema()).
		WithProperty("ready", openapi3.NewBoolSchema()).
		WithProperty("reason", openapi3.NewStringSchema())
	body := openapi3.NewObjectSchema().WithProperty("upstreams", openapi3.NewArraySchema().WithItems(line))
	summary := "List every upstream (cluster) the caller may reach, per surface, with its backend and readiness"
	op := &openapi3.Operation{OperationID: "list_upstreams", Summary: summary, Responses: openapi3.NewResponses(
		openapi3.WithStatus(http.StatusOK, &openapi3.ResponseRef{Value: openapi3.NewResponse().
			WithDescription("the upstreams").WithJSONSchema(body)}))}
	doc := &openapi3.T{OpenAPI: "3.0.3", Info: &openapi3.Info{Title: upstreamsSurface, Version: "1"},
		Paths: openapi3.NewPaths(), Components: &openapi3.Components{Schemas: openapi3.Schemas{}}}
	doc.AddOperation("/v1/upstreams", http.MethodGet, op)
	return catalog.Op{Surface: upstreamsSurface, OperationID: op.OperationID, Method: http.MethodGet,
		Path: "/v1/upstreams", EchoPath: "/v1/upstreams", Summary: summary, Tool: "list-upstreams",
		Hints:  vocab.Hints{ReadOnly: true, Idempotent: true},
		Safety: vocab.Safety{Class: vocab.Read}, Operation: op}, doc
}
