package apidiff

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/mcp"
)

func tool(name string, in, out map[string]any) mcp.Tool {
	return mcp.Tool{Name: name, InputSchema: in, OutputSchema: out,
		Op: catalog.Op{Surface: "s.yaml", Method: "GET", Path: "/v1/" + name}}
}

func obj(required []any, props map[string]any) map[string]any {
	s := map[string]any{"type": "object", "properties": props}
	if required != nil {
		s["required"] = required
	}
	return s
}

var str = map[string]any{"type": "string"}

// The MCP half of the gate, as issue 14 states it: a tool removed or an
// argument made required is breaking; a new optional argument is not.
func TestToolChangesAreClassified(t *testing.T) {
	base := map[string]mcp.Tool{
		"gone":   tool("gone", obj(nil, map[string]any{}), nil),
		"widen":  tool("widen", obj([]any{"name"}, map[string]any{"name": str}), nil),
		"tight":  tool("tight", obj([]any{"name"}, map[string]any{"name": str, "force": str}), nil),
		"newreq": tool("newreq", obj(nil, map[string]any{}), nil),
		"out": tool("out", obj(nil, map[string]any{}),
			obj([]any{"id"}, map[string]any{"id": str, "old": str})),
	}
	rev := map[string]mcp.Tool{
		"widen":  tool("widen", obj([]any{"name"}, map[string]any{"name": str, "body": obj(nil, map[string]any{"x": str})}), nil),
		"tight":  tool("tight", obj([]any{"force", "name"}, map[string]any{"name": str, "force": str}), nil),
		"newreq": tool("newreq", obj([]any{"confirm"}, map[string]any{"confirm": str}), nil),
		"out": tool("out", obj(nil, map[string]any{}),
			obj([]any{"id"}, map[string]any{"id": map[string]any{"type": "integer"}, "new": str})),
		"fresh": tool("fresh", obj(nil, map[string]any{}), nil),
	}
	type want struct {
		rule, tool, field string
		breaking          bool
	}
	var got []want
	for _, c := range compareTools(&toolSides{base: base, rev: rev}) {
		got = append(got, want{c.Rule, c.Tool, c.Field, c.Breaking})
	}
	assert.ElementsMatch(t, []want{
		{"tool-added", "fresh", "", false},
		{"tool-removed", "gone", "", true},
		{"tool-required-argument-added", "newreq", "confirm", true},
		{"tool-output-field-added", "out", "new", false},
		{"tool-output-field-removed", "out", "old", true},
		{"tool-output-field-type-changed", "out", "id", true},
		{"tool-argument-became-required", "tight", "force", true},
		{"tool-optional-argument-added", "widen", "body", false}, // body.x is under the new body: reported once
	}, got)
}
