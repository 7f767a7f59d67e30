package apidiff

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Write prints the report as a reviewer reads it: breaking changes first
// (route changes, then the MCP tools they affect), then everything else.
func (r *Report) Write(w io.Writer) {
	breaking, other := r.Breaking(), r.Other()
	fmt.Fprintf(w, "%d changes, %d breaking\n", len(r.Changes), len(breaking))
	names := make([]string, 0, len(r.Operations))
	for n := range r.Operations {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  compared %s: %d operations\n", n, r.Operations[n])
	}
	writeSection(w, "Breaking changes", breaking)
	writeSection(w, "Other changes", other)
}

func writeSection(w io.Writer, title string, cs []Change) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, c := range cs {
		fmt.Fprintln(w, "  "+c.Line())
	}
}

// Line is one change on one line: level, rule id, route, tool, and text.
func (c Change) Line() string {
	parts := []string{fmt.Sprintf("%-7s", c.Level), c.Rule}
	if isToolRule(c.Rule) {
		where := "tool " + c.Tool
		if c.Field != "" {
			where += " " + c.Field
		}
		parts = append(parts, where)
		if c.Route != "" {
			parts = append(parts, "("+c.Route+")")
		}
	} else {
		route := c.Route
		if route == "" {
			route = c.Surface
		}
		parts = append(parts, route)
		if c.Tool != "" {
			parts = append(parts, "(tool "+c.Tool+")")
		}
	}
	return strings.Join(parts, "  ") + ": " + c.Text
}
