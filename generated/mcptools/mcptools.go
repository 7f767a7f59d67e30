// Package mcptools holds the listing of every MCP tool, as
// cmd/toolsgen derives it from the embedded facade specs: never edit
// tools.json, run `make generate`.
package mcptools

import (
	_ "embed" // tools.json

	"github.com/clustergate/clustergate/mcp"
)

//go:embed tools.json
var listing []byte

// Listed is every tool as tools/list shows it, ready for the same filters
// as the derived tools (app.Allowed, mcp.ForRole, mcp.ForScope), but not to
// be called: a call takes the derived tool of the same name.
func Listed() ([]mcp.Tool, error) { return mcp.ListedTools(listing) }
