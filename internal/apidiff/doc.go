// Package apidiff tells a reviewer what a change to the facade specs does to
// the /v1 contract: every change between two sets of facade specs, breaking
// ones first with their rule id and route, and the MCP tools whose input or
// output schema changed as a consequence. It also gates a change against the
// released contract (openapi/baseline/) and the breaking changes a release
// acknowledges (openapi/breaking-changes.yaml), and writes the API changelog.
//
// Dependency: github.com/oasdiff/oasdiff (v1.35.0, the last release built on
// kin-openapi v0.151, so it runs on the project's v0.152.0 unchanged). It is
// the differ API teams run in CI: ~600 rules with stable ids, each with a
// level, which is exactly what a breaking-change gate and its
// acknowledgements must name. Writing our own OpenAPI differ would mean
// re-deriving those rules and their ids. Only its diff, checker and load
// packages are imported, and only by this package, cmd/apidiff and tests:
// the clustergate binary does not link it. Its weight in go.mod: nine new
// modules (tidwall/*, wI2L/jsondiff, TwiN/go-color, yargevad/filepathx, and
// cloud.google.com/go for its small civil package), minor bumps of
// golang.org/x/{sync,sys,text,tools} and go-openapi/jsonpointer; kin-openapi
// stays at v0.152.0 and the generated code is unchanged.
//
// The MCP side is not OpenAPI: tools are derived from the same specs by
// mcp.Derive (the tool ↔ operation mapping comes from the specs' x-mcp-tool
// extension), and their JSON Schemas are compared here argument by argument.
package apidiff
