package app

import (
	"fmt"
	"strings"
)

// RoutesTable renders every REST route as a Markdown table: method, path,
// operationId, MCP tool, the role it needs and its hints. `clustergate
// routes` prints it and README.md embeds it (a test keeps it current).
func (st *Stack) RoutesTable() string {
	var b strings.Builder
	b.WriteString("| method | route | operationId | MCP tool | role | hints |\n|---|---|---|---|---|---|\n")
	for _, op := range st.Ops {
		tool := op.Tool
		if tool == "" {
			tool = "—"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s |\n", op.Method, op.Path, op.OperationID, tool, op.RequiredRole(), hints(op.Hints.ReadOnly, op.Hints.Destructive, op.Hints.Idempotent, op.Sensitive))
	}
	return b.String()
}

// ToolsTable renders the MCP tools the configuration serves.
func (st *Stack) ToolsTable() string {
	var b strings.Builder
	b.WriteString("| tool | route | role | hints |\n|---|---|---|---|\n")
	for _, t := range st.Tools {
		fmt.Fprintf(&b, "| %s | %s `%s` | %s | %s |\n", t.Name, t.Op.Method, t.Op.Path, t.Op.RequiredRole(),
			hints(t.Annotations.ReadOnly, t.Annotations.Destructive, t.Annotations.Idempotent, t.Op.Sensitive))
	}
	return b.String()
}

func hints(readOnly, destructive, idempotent, sensitive bool) string {
	var h []string
	for _, f := range []struct {
		on   bool
		name string
	}{{readOnly, "read-only"}, {destructive, "destructive"}, {idempotent, "idempotent"}, {sensitive, "sensitive"}} {
		if f.on {
			h = append(h, f.name)
		}
	}
	if len(h) == 0 {
		return "writes"
	}
	return strings.Join(h, ", ")
}
