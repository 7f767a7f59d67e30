package app

import (
	"fmt"
	"strings"
)

// RoutesTable renders every REST route as a Markdown table: method, path,
// operationId, MCP tool, the role it needs and its safety class (with
// ", sensitive" when it carries a secret). `clustergate routes` prints it
// and README.md embeds it (a test keeps it current, and checks it against
// the hand-written access contract in tests/security).
func (st *Stack) RoutesTable() string {
	var b strings.Builder
	b.WriteString("| method | route | operationId | MCP tool | role | class |\n|---|---|---|---|---|---|\n")
	for _, op := range st.Ops {
		tool := op.Tool
		if tool == "" {
			tool = "—"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n", op.Method, op.Path, op.OperationID, tool, op.RequiredRole(), op.Safety)
	}
	return b.String()
}

// ToolsTable renders the MCP tools the configuration serves.
func (st *Stack) ToolsTable() string {
	var b strings.Builder
	b.WriteString("| tool | route | role | class |\n|---|---|---|---|\n")
	for _, t := range st.Tools {
		fmt.Fprintf(&b, "| %s | %s `%s` | %s | %s |\n", t.Name, t.Op.Method, t.Op.Path, t.Op.RequiredRole(), t.Op.Safety)
	}
	return b.String()
}
