package mcp

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/vocab"
)

// Tool is one derived MCP tool, independent of the SDK.
type Tool struct {
	Name         string
	Title        string
	Description  string
	Annotations  Annotations
	InputSchema  map[string]any
	OutputSchema map[string]any // nil when the success answer has no body
	Op           catalog.Op

	params  []param
	hasBody bool
	wrapKey string  // structuredContent key for a body that is not an object
	target  string  // path parameter `confirm` must repeat; "" means the tool name
	follow  *follow // how to follow a 202; nil when the tool never gets one

	// listedInput and listedOutput are a listed tool's schemas, the
	// generated listing's JSON (ListedTools); nil for a derived tool.
	listedInput, listedOutput json.RawMessage
}

// Annotations are the tool's MCP hints; every one is always set.
type Annotations struct {
	Title       string `json:"title"`
	ReadOnly    bool   `json:"readOnlyHint"`
	Destructive bool   `json:"destructiveHint"`
	Idempotent  bool   `json:"idempotentHint"`
	OpenWorld   bool   `json:"openWorldHint"`
}

// param says where a tool argument goes in the HTTP request.
type param struct {
	arg, name string
	in        string           // path, query or header
	schema    *openapi3.Schema // the facade spec's; arguments are checked against it
}

// Derive builds the tools of the operations that have one, sorted by name;
// specs holds each surface's spec, for its schemas.
func Derive(specs map[string]*openapi3.T, ops []catalog.Op) ([]Tool, error) {
	convs := map[string]*schemaConverter{}
	for surface, doc := range specs {
		conv, err := newSchemaConverter(doc)
		if err != nil {
			return nil, fmt.Errorf("surface %s: %w", surface, err)
		}
		convs[surface] = conv
	}
	var tools []Tool
	for _, op := range ops {
		if op.Tool == "" {
			continue
		}
		conv := convs[op.Surface]
		if conv == nil {
			return nil, fmt.Errorf("tool %s: no spec for surface %s", op.Tool, op.Surface)
		}
		t, err := derive(op, conv)
		if err != nil {
			return nil, fmt.Errorf("tool %s: %w", op.Tool, err)
		}
		t.setFollow(ops)
		tools = append(tools, t)
	}
	sort.Slice(tools, func(i, j int) bool { return tools[i].Name < tools[j].Name })
	return tools, nil
}

func derive(op catalog.Op, conv *schemaConverter) (Tool, error) {
	t := Tool{Name: op.Tool, Title: op.Summary, Op: op, Annotations: Annotations{
		Title: op.Summary, ReadOnly: op.Safety.Class == vocab.Read, Destructive: op.Safety.Class == vocab.Destructive,
		Idempotent: op.Hints.Idempotent, OpenWorld: op.Hints.OpenWorld,
	}}
	props, required := map[string]any{}, []string{}
	for _, pr := range op.Operation.Parameters {
		p := pr.Value
		s, err := conv.convert(p.Schema)
		if err != nil {
			return t, err
		}
		if p.Description != "" {
			s["description"] = p.Description
		}
		arg := argName(p)
		props[arg] = s
		t.params = append(t.params, param{arg: arg, name: p.Name, in: p.In, schema: p.Schema.Value})
		if p.Required {
			required = append(required, arg)
		}
		if p.In == openapi3.ParameterInPath {
			t.target = arg
		}
	}
	if err := t.addBody(op, conv, props, &required); err != nil {
		return t, err
	}
	if t.Annotations.Destructive {
		props["confirm"] = map[string]any{"type": "string",
			"description": "Must equal " + t.confirmWhat() + ": destructive tools do nothing without it."}
		required = append(required, "confirm")
	}
	sort.Strings(required)
	t.InputSchema = map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		t.InputSchema["required"] = required
	}
	if err := t.setOutput(op.Operation, conv); err != nil {
		return t, err
	}
	t.Description = t.describe()
	return t, nil
}

func (t *Tool) addBody(op catalog.Op, conv *schemaConverter, props map[string]any, required *[]string) error {
	rb := op.Operation.RequestBody
	if rb == nil || rb.Value == nil || rb.Value.Content.Get("application/json") == nil {
		return nil
	}
	s, err := conv.convert(rb.Value.Content.Get("application/json").Schema)
	if err != nil {
		return err
	}
	if rb.Value.Description != "" {
		s["description"] = rb.Value.Description
	}
	props["body"], t.hasBody = s, true
	if rb.Value.Required {
		*required = append(*required, "body")
	}
	return nil
}

// setOutput derives the output schema from the first JSON success answer.
// MCP wants an object, so a list is wrapped under "items" (and any other
// non-object under "value"), and structuredContent is wrapped the same way.
func (t *Tool) setOutput(op *openapi3.Operation, conv *schemaConverter) error {
	for _, code := range []string{"200", "201", "202"} {
		r := op.Responses.Value(code)
		if r == nil || r.Value == nil || r.Value.Content.Get("application/json") == nil {
			continue
		}
		s, err := conv.convert(r.Value.Content.Get("application/json").Schema)
		if err != nil {
			return err
		}
		if isObject(s) {
			s["type"] = "object"
			t.OutputSchema = s
			return nil
		}
		t.wrapKey = "value"
		if s["type"] == "array" {
			t.wrapKey = "items"
		}
		t.OutputSchema = map[string]any{"type": "object", "required": []string{t.wrapKey},
			"properties": map[string]any{t.wrapKey: s}}
		return nil
	}
	return nil
}

func (t *Tool) confirmWhat() string {
	if t.target == "" {
		return fmt.Sprintf("the tool name %q", t.Name)
	}
	return "the value of " + t.target
}

func (t *Tool) describe() string {
	var b strings.Builder
	b.WriteString(t.Op.Summary)
	if !strings.HasSuffix(t.Op.Summary, ".") {
		b.WriteString(".")
	}
	fmt.Fprintf(&b, " REST: %s %s.", t.Op.Method, t.Op.Path)
	if t.Op.Safety.Sensitive {
		b.WriteString(" Sensitive: carries a secret (token, key or credentials).")
	}
	if t.Annotations.Destructive {
		fmt.Fprintf(&b, " Destructive: pass confirm equal to %s.", t.confirmWhat())
	}
	return b.String()
}

// argName is the tool argument of a parameter: its own name for path and
// query parameters, snake case for headers (If-Match is if_match).
func argName(p *openapi3.Parameter) string {
	if p.In != openapi3.ParameterInHeader {
		return p.Name
	}
	return strings.ToLower(strings.ReplaceAll(p.Name, "-", "_"))
}

// ForRole keeps the tools role may use.
func ForRole(tools []Tool, role vocab.Role) []Tool {
	var out []Tool
	for _, t := range tools {
		if role.Allows(t.Op.RequiredRole()) {
			out = append(out, t)
		}
	}
	return out
}
