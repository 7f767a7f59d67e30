package specgen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// OpRef names an upstream operation by path template and upper-case method.
type OpRef struct {
	Path   string
	Method string
}

// Repairs records what specgen changed in an upstream spec, so a run can say
// what the upstream got wrong.
type Repairs []string

func (r *Repairs) add(format string, args ...any) { *r = append(*r, fmt.Sprintf(format, args...)) }

// filterSwagger2 keeps only the wanted operations of a Swagger 2.0 document
// and the definitions and responses they (or the named extra schemas) reach.
// Converting the whole Incus spec fails, so the cut happens before conversion.
func filterSwagger2(doc map[string]any, want []OpRef, extraSchemas []string) (map[string]any, error) {
	paths, _ := doc["paths"].(map[string]any)
	out := map[string]any{"swagger": doc["swagger"], "info": doc["info"]}
	for _, k := range []string{"consumes", "produces"} {
		if v, ok := doc[k]; ok {
			out[k] = v
		}
	}
	kept := map[string]any{}
	for _, w := range want {
		item, _ := paths[w.Path].(map[string]any)
		op, ok := item[strings.ToLower(w.Method)]
		if !ok {
			return nil, fmt.Errorf("upstream spec has no %s %s", w.Method, w.Path)
		}
		dst, _ := kept[w.Path].(map[string]any)
		if dst == nil {
			dst = map[string]any{}
			if p, ok := item["parameters"]; ok {
				dst["parameters"] = p
			}
			kept[w.Path] = dst
		}
		dst[strings.ToLower(w.Method)] = op
	}
	out["paths"] = kept
	defs, resps := map[string]any{}, map[string]any{}
	collectRefs(kept, doc, defs, resps)
	for _, name := range extraSchemas {
		if defsIn, _ := doc["definitions"].(map[string]any); defsIn[name] != nil {
			followRef("#/definitions/"+name, doc, defs, resps)
		}
	}
	out["definitions"], out["responses"] = defs, resps
	return out, nil
}

// collectRefs copies into defs and resps every definition and response that
// node reaches, transitively.
func collectRefs(node any, doc map[string]any, defs, resps map[string]any) {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			followRef(ref, doc, defs, resps)
		}
		for _, v := range n {
			collectRefs(v, doc, defs, resps)
		}
	case []any:
		for _, v := range n {
			collectRefs(v, doc, defs, resps)
		}
	}
}

func followRef(ref string, doc map[string]any, defs, resps map[string]any) {
	for prefix, into := range map[string]map[string]any{"#/definitions/": defs, "#/responses/": resps} {
		name, ok := strings.CutPrefix(ref, prefix)
		if !ok {
			continue
		}
		if _, seen := into[name]; seen {
			return
		}
		section, _ := doc[strings.Split(prefix, "/")[1]].(map[string]any)
		into[name] = section[name]
		collectRefs(section[name], doc, defs, resps)
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// declarePathParams adds the path parameters the upstream spec uses in a path
// template but never declares (every Incus {name} route).
func declarePathParams(doc map[string]any, describe func(name string) string, rep *Repairs) {
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		item := paths[p].(map[string]any)
		for _, m := range pathParam.FindAllStringSubmatch(p, -1) {
			for _, method := range sortedKeys(item) {
				op, ok := item[method].(map[string]any)
				if !ok || method == "parameters" || hasParam(op, m[1]) || hasParam(item, m[1]) {
					continue
				}
				params, _ := op["parameters"].([]any)
				op["parameters"] = append(params, map[string]any{
					"name": m[1], "in": "path", "required": true, "type": "string",
					"description": describe(m[1]),
				})
				rep.add("%s %s: declared path parameter %q", strings.ToUpper(method), p, m[1])
			}
		}
	}
}

func hasParam(node map[string]any, name string) bool {
	params, _ := node["parameters"].([]any)
	for _, p := range params {
		if pm, ok := p.(map[string]any); ok && pm["in"] == "path" && pm["name"] == name {
			return true
		}
	}
	return false
}

// fixExamples walks every schema and parameter: an example whose JSON type
// does not match the declared type is parsed when it is JSON text of the
// right type (Incus writes array examples as strings), and dropped otherwise.
func fixExamples(node any, where string, rep *Repairs) {
	switch n := node.(type) {
	case map[string]any:
		if typ, ok := n["type"].(string); ok {
			if ex, has := n["example"]; has && !exampleMatches(typ, ex) {
				if fixed, ok := parseExample(typ, ex); ok {
					n["example"] = fixed
					rep.add("%s: parsed %s example from text", where, typ)
				} else {
					delete(n, "example")
					rep.add("%s: dropped example that is not a %s", where, typ)
				}
			}
		}
		for _, k := range sortedKeys(n) {
			fixExamples(n[k], where+"/"+k, rep)
		}
	case []any:
		for i, v := range n {
			fixExamples(v, fmt.Sprintf("%s/%d", where, i), rep)
		}
	}
}

func exampleMatches(typ string, ex any) bool {
	switch ex.(type) {
	case string:
		return typ == "string"
	case bool:
		return typ == "boolean"
	case int, int64, uint64, float64:
		return typ == "integer" || typ == "number"
	case []any:
		return typ == "array"
	case map[string]any:
		return typ == "object"
	}
	return ex == nil
}

func parseExample(typ string, ex any) (any, bool) {
	s, ok := ex.(string)
	if !ok {
		return nil, false
	}
	var v any
	if json.Unmarshal([]byte(s), &v) != nil || !exampleMatches(typ, v) {
		return nil, false
	}
	return v, true
}

// toV3 converts a (filtered, repaired) Swagger 2.0 document.
func toV3(doc map[string]any) (*openapi3.T, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode swagger 2.0: %w", err)
	}
	var d2 openapi2.T
	if err := json.Unmarshal(raw, &d2); err != nil {
		return nil, fmt.Errorf("decode swagger 2.0: %w", err)
	}
	d3, err := openapi2conv.ToV3(&d2)
	if err != nil {
		return nil, fmt.Errorf("convert swagger 2.0 to openapi 3: %w", err)
	}
	return d3, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
