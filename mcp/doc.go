// Package mcp serves every facade operation that carries an MCP tool name
// (x-mcp-tool) as a typed MCP tool.
//
// Tools are derived at start-up from the embedded facade specs, through the
// route catalog: input schemas from the operation's parameters and its real
// upstream request schema, output schemas from its success response,
// annotations from the capability hints. A tool call builds the request a
// REST client would send and runs it through the same HTTP handler chain in
// process, so auth, validation, logs and metrics are shared, not copied.
// The MCP SDK is imported in sdk.go only.
package mcp
