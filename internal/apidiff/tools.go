package apidiff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/clustergate/clustergate/mcp"
)

// Rule ids of MCP tool changes. A client of a tool breaks when the tool
// goes, when a call it makes today is refused (an argument removed or newly
// required, a type changed) or when a field it reads goes missing.
const (
	ToolRemoved           = "tool-removed"
	ToolAdded             = "tool-added"
	ToolArgRemoved        = "tool-argument-removed"
	ToolRequiredArgAdded  = "tool-required-argument-added"
	ToolOptionalArgAdded  = "tool-optional-argument-added"
	ToolArgBecameRequired = "tool-argument-became-required"
	ToolArgBecameOptional = "tool-argument-became-optional"
	ToolArgTypeChanged    = "tool-argument-type-changed"
	ToolOutFieldRemoved   = "tool-output-field-removed"
	ToolOutFieldAdded     = "tool-output-field-added"
	ToolOutBecameOptional = "tool-output-field-became-optional"
	ToolOutTypeChanged    = "tool-output-field-type-changed"
)

var breakingToolRules = map[string]bool{
	ToolRemoved: true, ToolArgRemoved: true, ToolRequiredArgAdded: true, ToolArgBecameRequired: true,
	ToolArgTypeChanged: true, ToolOutFieldRemoved: true, ToolOutBecameOptional: true, ToolOutTypeChanged: true,
}

func isToolRule(rule string) bool { return strings.HasPrefix(rule, "tool-") }

// ToolSchemas is what a client sees of one tool's contract.
type ToolSchemas struct {
	Name          string
	Input, Output map[string]any
	Route         string // "METHOD /path" the tool calls, for the report
	Surface       string
}

func schemasOf(tools map[string]mcp.Tool) []ToolSchemas {
	out := make([]ToolSchemas, 0, len(tools))
	for _, t := range tools {
		out = append(out, ToolSchemas{Name: t.Name, Input: t.InputSchema, Output: t.OutputSchema,
			Route: t.Op.Method + " " + t.Op.Path, Surface: t.Op.Surface})
	}
	return out
}

func compareTools(ts *toolSides) []Change {
	return CompareTools(schemasOf(ts.base), schemasOf(ts.rev))
}

// CompareTools classifies what happened to every tool from base to rev:
// the derived tools of two spec sets, or two golden tool snapshots.
func CompareTools(base, rev []ToolSchemas) []Change {
	b, r := byName(base), byName(rev)
	var out []Change
	for _, name := range toolNames(b, r) {
		bt, inBase := b[name]
		rt, inRev := r[name]
		switch {
		case !inRev:
			out = append(out, toolChange(bt, ToolRemoved, "", "the MCP tool "+name+" was removed"))
		case !inBase:
			out = append(out, toolChange(rt, ToolAdded, "", "the MCP tool "+name+" was added"))
		default:
			out = append(out, schemaChanges(rt, fields(bt.Input), fields(rt.Input), true)...)
			out = append(out, schemaChanges(rt, fields(bt.Output), fields(rt.Output), false)...)
		}
	}
	return out
}

func byName(ts []ToolSchemas) map[string]ToolSchemas {
	m := make(map[string]ToolSchemas, len(ts))
	for _, t := range ts {
		m[t.Name] = t
	}
	return m
}

func toolNames(a, b map[string]ToolSchemas) []string {
	seen := map[string]bool{}
	var names []string
	for _, m := range []map[string]ToolSchemas{a, b} {
		for n := range m {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names
}

func toolChange(t ToolSchemas, rule, field, text string) Change {
	level := "info"
	if breakingToolRules[rule] {
		level = "error"
	}
	return Change{Surface: t.Surface, Rule: rule, Level: level, Route: t.Route,
		Tool: t.Name, Field: field, Text: text, Breaking: breakingToolRules[rule]}
}

// field is one property of a tool schema, at a dotted path (`body.roles`,
// `items[].server_name`).
type field struct {
	required bool
	shape    string // type and enum, what a client's value must match
}

// fields flattens a JSON Schema's properties, depth first. Arguments are the
// top-level properties of the input schema.
func fields(schema map[string]any) map[string]field {
	out := map[string]field{}
	walk(schema, "", out)
	return out
}

func walk(s map[string]any, prefix string, out map[string]field) {
	required := map[string]bool{}
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			required[fmt.Sprint(r)] = true
		}
	} else if req, ok := s["required"].([]string); ok {
		for _, r := range req {
			required[r] = true
		}
	}
	props, _ := s["properties"].(map[string]any)
	for name, p := range props {
		ps, _ := p.(map[string]any)
		path := prefix + name
		out[path] = field{required: required[name], shape: shape(ps)}
		walk(ps, path+".", out)
	}
	if items, ok := s["items"].(map[string]any); ok {
		walk(items, strings.TrimSuffix(prefix, ".")+"[].", out)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := s[k].([]any); ok {
			for _, sub := range list {
				if m, ok := sub.(map[string]any); ok {
					walk(m, prefix, out)
				}
			}
		}
	}
}

func shape(s map[string]any) string {
	parts := []string{fmt.Sprint(s["type"])}
	if e, ok := s["enum"]; ok {
		parts = append(parts, fmt.Sprint(e))
	}
	if it, ok := s["items"].(map[string]any); ok {
		parts = append(parts, "items:"+fmt.Sprint(it["type"]))
	}
	return strings.Join(parts, " ")
}

// schemaChanges compares one tool's input (arguments) or output (fields).
// Only the topmost of a removed or added subtree is reported.
func schemaChanges(t ToolSchemas, base, rev map[string]field, input bool) []Change {
	var out []Change
	what := "output field"
	if input {
		what = "argument"
	}
	for _, p := range sortedKeys(base, rev) {
		b, inBase := base[p]
		r, inRev := rev[p]
		switch {
		case !inRev && !parentMissing(p, rev):
			out = append(out, toolChange(t, pick(input, ToolArgRemoved, ToolOutFieldRemoved), p,
				fmt.Sprintf("%s %s of tool %s was removed", what, p, t.Name)))
		case !inBase && !parentMissing(p, base):
			out = append(out, added(t, p, r, input))
		case inBase && inRev && b.shape != r.shape:
			out = append(out, toolChange(t, pick(input, ToolArgTypeChanged, ToolOutTypeChanged), p,
				fmt.Sprintf("%s %s of tool %s changed from %s to %s", what, p, t.Name, b.shape, r.shape)))
		case inBase && inRev && b.required != r.required:
			out = append(out, requiredChange(t, p, r.required, input))
		}
	}
	return out
}

func added(t ToolSchemas, p string, r field, input bool) Change {
	switch {
	case !input:
		return toolChange(t, ToolOutFieldAdded, p, fmt.Sprintf("output field %s of tool %s was added", p, t.Name))
	case r.required:
		return toolChange(t, ToolRequiredArgAdded, p, fmt.Sprintf("required argument %s was added to tool %s", p, t.Name))
	}
	return toolChange(t, ToolOptionalArgAdded, p, fmt.Sprintf("optional argument %s was added to tool %s", p, t.Name))
}

func requiredChange(t ToolSchemas, p string, nowRequired, input bool) Change {
	switch {
	case input && nowRequired:
		return toolChange(t, ToolArgBecameRequired, p, fmt.Sprintf("argument %s of tool %s became required", p, t.Name))
	case input:
		return toolChange(t, ToolArgBecameOptional, p, fmt.Sprintf("argument %s of tool %s became optional", p, t.Name))
	case nowRequired:
		return toolChange(t, ToolOutFieldAdded, p, fmt.Sprintf("output field %s of tool %s is now always present", p, t.Name))
	}
	return toolChange(t, ToolOutBecameOptional, p, fmt.Sprintf("output field %s of tool %s may now be absent", p, t.Name))
}

// parentMissing says whether p's enclosing field is absent from m, so the
// change is already reported at the parent.
func parentMissing(p string, m map[string]field) bool {
	i := strings.LastIndex(p, ".")
	if i < 0 {
		return false
	}
	parent := strings.TrimSuffix(p[:i], "[]")
	if parent == "" {
		return false
	}
	_, ok := m[parent]
	return !ok
}

func pick(input bool, in, out string) string {
	if input {
		return in
	}
	return out
}

func sortedKeys(a, b map[string]field) []string {
	all := map[string]bool{}
	for k := range a {
		all[k] = true
	}
	for k := range b {
		all[k] = true
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
