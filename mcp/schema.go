package mcp

import (
	"encoding/json"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemaConverter turns OpenAPI 3.0 schemas into self-contained JSON
// Schemas: $refs resolved inline (a cycle becomes an open object), nullable
// turned into an anyOf with a null branch, and OpenAPI-only keywords (x-*, example,
// discriminator, xml, externalDocs) dropped.
type schemaConverter struct {
	components map[string]any
}

func newSchemaConverter(doc *openapi3.T) (*schemaConverter, error) {
	raw, err := json.Marshal(doc.Components.Schemas)
	if err != nil {
		return nil, err
	}
	comps := map[string]any{}
	return &schemaConverter{components: comps}, json.Unmarshal(raw, &comps)
}

// convert returns the JSON Schema of ref.
func (c *schemaConverter) convert(ref *openapi3.SchemaRef) (map[string]any, error) {
	raw, err := json.Marshal(ref)
	if err != nil {
		return nil, err
	}
	var node map[string]any
	if err := json.Unmarshal(raw, &node); err != nil {
		return nil, err
	}
	return c.schema(node, map[string]bool{}), nil
}

var dropped = map[string]bool{"example": true, "discriminator": true, "xml": true, "externalDocs": true, "nullable": true}

func (c *schemaConverter) schema(node map[string]any, seen map[string]bool) map[string]any {
	if ref, ok := node["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		target, ok := c.components[name].(map[string]any)
		if !ok || seen[name] {
			return map[string]any{"type": "object", "description": "(recursive " + name + ")"}
		}
		inner := map[string]bool{name: true}
		for k := range seen {
			inner[k] = true
		}
		return c.schema(target, inner)
	}
	out := make(map[string]any, len(node))
	for k, v := range node {
		switch {
		case dropped[k] || strings.HasPrefix(k, "x-"):
		case k == "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = c.schema(p.(map[string]any), seen)
			}
			out[k] = props
		case k == "additionalProperties" && isMap(v) && len(v.(map[string]any)) == 0:
			out[k] = true // {} allows anything; say so plainly
		case k == "items" || k == "not" || (k == "additionalProperties" && isMap(v)):
			out[k] = c.schema(v.(map[string]any), seen)
		case k == "allOf" || k == "anyOf" || k == "oneOf":
			var list []any
			for _, s := range v.([]any) {
				list = append(list, c.schema(s.(map[string]any), seen))
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	if node["nullable"] == true {
		if _, ok := out["type"].(string); ok {
			out = orNull(out)
		}
	}
	if freeForm(out) {
		out["anyOf"] = anyJSON()
	}
	return out
}

// Types are written as anyOf branches of one type each, never as a type
// array: clients that map tool schemas onto a single-type dialect (the
// OpenAPI subset of Gemini function declarations, say) refuse or flatten
// an array, and the MCP Inspector's --strict check warns about one.

// anyJSON is the schema of any JSON value, every type spelled out, which
// clients read as deliberate rather than as a missing schema.
func anyJSON() []any {
	var branches []any
	for _, t := range []string{"string", "number", "boolean", "object", "array", "null"} {
		branches = append(branches, map[string]any{"type": t})
	}
	return branches
}

// orNull allows null beside s: the schema itself becomes the first branch,
// keeping its annotations on the outside.
func orNull(s map[string]any) map[string]any {
	out, branch := map[string]any{}, map[string]any{}
	for k, v := range s {
		switch k {
		case "description", "title", "default", "deprecated", "readOnly", "writeOnly":
			out[k] = v
		default:
			branch[k] = v
		}
	}
	out["anyOf"] = []any{branch, map[string]any{"type": "null"}}
	return out
}

// freeForm says whether a schema constrains nothing (any JSON value): it is
// then written with every type spelled out, which clients read as
// deliberate rather than as a missing schema.
func freeForm(s map[string]any) bool {
	for k := range s {
		switch k {
		case "description", "title", "default", "deprecated", "readOnly", "writeOnly":
		default:
			return false
		}
	}
	return true
}

func isMap(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// isObject says whether a converted schema describes a JSON object.
func isObject(s map[string]any) bool {
	if t, ok := s["type"].(string); ok {
		return t == "object"
	}
	_, props := s["properties"]
	_, all := s["allOf"]
	return props || all
}
