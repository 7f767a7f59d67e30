package mcp

import (
	"strings"

	"github.com/clustergate/clustergate/internal/auth"
)

// ForScope keeps the tools of surfaces where the caller may reach at least
// one upstream; surfaces is each surface's upstream names (a tool of a
// surface not listed, such as list-upstreams, is kept). The handler chain
// still refuses a call outside the scope (403); this only spares a scoped
// caller tools it can never use.
func ForScope(tools []Tool, id auth.Identity, surfaces map[string][]string) []Tool {
	if len(id.Upstreams) == 0 {
		return tools
	}
	var out []Tool
	for _, t := range tools {
		names, ok := surfaces[t.Op.Surface]
		if !ok || reachesAny(id, names) {
			out = append(out, t)
		}
	}
	return out
}

func reachesAny(id auth.Identity, names []string) bool {
	for _, n := range names {
		if id.Reaches(n) {
			return true
		}
	}
	return false
}

// scopeKey tells apart the tool lists of callers of one role: the same
// upstream scope sees the same tools.
func scopeKey(id auth.Identity) string {
	return string(id.Role) + "|" + strings.Join(id.Upstreams, ",")
}
