package specgen

import (
	"fmt"
	"strings"
)

// linkAsync names, on every 202 response, the operation that follows the
// work still running (OpenAPI links): the REST Location and the MCP result's
// "call this tool with these arguments" are derived from it, so no surface
// hand-writes where to poll. A 202 that declares links upstream (the
// hand-written CAPI spec) keeps them; otherwise the link goes to the one GET
// operation that answers 200 with the same schema and whose path
// parameters are all fields of it (an Incus operation is polled by its id,
// a provisioning cluster read by namespace and name). Every link must name
// an operation of the facade.
func linkAsync(doc map[string]any) error {
	paths := asMap(doc["paths"])
	ops := map[string]bool{}
	for _, p := range sortedKeys(paths) {
		for _, m := range sortedKeys(asMap(paths[p])) {
			if id, ok := asMap(asMap(paths[p])[m])["operationId"].(string); ok {
				ops[id] = true
			}
		}
	}
	schemas := asMap(asMap(doc["components"])["schemas"])
	for _, p := range sortedKeys(paths) {
		item := asMap(paths[p])
		for _, m := range sortedKeys(item) {
			op := asMap(item[m])
			accepted := asMap(asMap(op["responses"])["202"])
			if accepted == nil {
				continue
			}
			if accepted["links"] == nil {
				if link := pollerOf(paths, schemas, jsonSchemaRef(accepted)); link != nil {
					accepted["links"] = map[string]any{"poll": link}
				}
			}
			if accepted["links"] == nil {
				return fmt.Errorf("%s %s answers 202 but no operation follows it: declare links on the response", strings.ToUpper(m), p)
			}
			for name, l := range asMap(accepted["links"]) {
				if id, _ := asMap(l)["operationId"].(string); !ops[id] {
					return fmt.Errorf("%s %s: 202 link %q names operation %q, which the facade does not serve", strings.ToUpper(m), p, name, id)
				}
			}
		}
	}
	return nil
}

// pollerOf is the link to the one GET operation answering 200 with the
// schema ref whose path parameters the schema holds, or nil.
func pollerOf(paths, schemas map[string]any, ref string) map[string]any {
	if ref == "" {
		return nil
	}
	props := asMap(asMap(schemas[refName(ref)])["properties"])
	var found map[string]any
	for _, p := range sortedKeys(paths) {
		get := asMap(asMap(paths[p])["get"])
		if get == nil || jsonSchemaRef(asMap(asMap(get["responses"])["200"])) != ref {
			continue
		}
		params := map[string]any{}
		for _, name := range templateParams(p) {
			if props[name] == nil {
				params = nil
				break
			}
			params[name] = "$response.body#/" + name
		}
		if params == nil {
			continue
		}
		if found != nil {
			return nil // two could follow it: say nothing rather than guess
		}
		found = map[string]any{"operationId": get["operationId"], "parameters": params,
			"description": fmt.Sprintf("Follow the work still running: GET %s (MCP tool %v)", p, get["x-mcp-tool"])}
	}
	return found
}

// jsonSchemaRef is the $ref of a response's application/json schema.
func jsonSchemaRef(resp map[string]any) string {
	ref, _ := asMap(asMap(asMap(resp["content"])["application/json"])["schema"])["$ref"].(string)
	return ref
}
