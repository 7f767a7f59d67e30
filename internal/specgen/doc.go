// Package specgen derives clustergate's facade OpenAPI specs.
//
// For each surface it joins three inputs: the capability document (routes,
// operationIds, MCP tool names and hints), the upstream spec read from a pinned
// Go module (schemas), and an overlay (per-surface corrections written as an
// RFC 7386 JSON merge patch). The output is an OAS 3.0 document whose every
// operation carries the x- extensions the server, the MCP layer and the RBAC
// table derive from, so none of those facts is listed twice by hand.
package specgen
