package specgen

// closeRequestSchemas makes every object a request body can hold refuse
// fields it does not declare (additionalProperties: false), so a typo such as
// "descriptionx" is a 400 naming the field instead of a silent no-op. The
// facade spec states it, so the request validator, the MCP tool schemas and
// the docs all derive the rule from this one place. Objects that declare
// additionalProperties themselves (config maps, labels) are left as they
// are; so are schemas only responses reach.
func closeRequestSchemas(doc map[string]any) {
	comps, _ := doc["components"].(map[string]any)
	c := closer{schemas: asMap(comps["schemas"]), seen: map[string]bool{}}
	paths := asMap(doc["paths"])
	for _, p := range sortedKeys(paths) {
		item := asMap(paths[p])
		for _, m := range sortedKeys(item) {
			body := asMap(asMap(item[m])["requestBody"])
			content := asMap(body["content"])
			for _, mt := range sortedKeys(content) {
				c.schema(asMap(asMap(content[mt])["schema"]))
			}
		}
	}
}

type closer struct {
	schemas map[string]any
	seen    map[string]bool
}

// schema closes s and every schema nested in it, following $refs once.
func (c closer) schema(s map[string]any) {
	if s == nil {
		return
	}
	if ref, ok := s["$ref"].(string); ok {
		if name := refName(ref); !c.seen[name] {
			c.seen[name] = true
			c.schema(asMap(c.schemas[name]))
		}
		return
	}
	closeObject(s)
	props := asMap(s["properties"])
	for _, k := range sortedKeys(props) {
		c.schema(asMap(props[k]))
	}
	c.schema(asMap(s["items"]))
	c.schema(asMap(s["additionalProperties"]))
	for _, k := range []string{"anyOf", "oneOf"} { // allOf branches stay open: see closeObject
		list, _ := s[k].([]any)
		for _, sub := range list {
			c.schema(asMap(sub))
		}
	}
}

// closeObject sets additionalProperties: false on a schema that describes an
// object and says nothing about undeclared fields. A schema composed with
// allOf is left open, and its branches too: each branch is checked on its
// own, so a closed branch would refuse the other branches' fields.
func closeObject(s map[string]any) {
	if _, set := s["additionalProperties"]; set || s["allOf"] != nil {
		return
	}
	if _, props := s["properties"]; s["type"] == "object" || props {
		s["additionalProperties"] = false
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
