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

// filterDoc keeps only the wanted operations of a Swagger 2.0 or OAS 3
// document and every component they (or the named extra schemas) reach.
// Converting the whole Incus spec fails, so the cut happens before
// conversion; the OpenStorage subset feeds the typed upstream client.
func filterDoc(doc map[string]any, want []OpRef, extraSchemas []string) (map[string]any, error) {
	paths, _ := doc["paths"].(map[string]any)
	out := map[string]any{}
	for _, k := range []string{"swagger", "openapi", "info", "consumes", "produces", "security"} {
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
	collectRefs(kept, doc, out)
	schemaPrefix := "#/components/schemas/"
	if doc["swagger"] != nil {
		schemaPrefix = "#/definitions/"
	}
	for _, name := range extraSchemas {
		if lookup(doc, schemaPrefix+name) != nil {
			followRef(schemaPrefix+name, doc, out)
		}
	}
	if comps, ok := doc["components"].(map[string]any); ok && comps["securitySchemes"] != nil {
		setPointer(out, "#/components/securitySchemes", comps["securitySchemes"])
	}
	return out, nil
}

// collectRefs copies into out every local $ref target that node reaches,
// transitively, at the same JSON pointer.
func collectRefs(node any, doc, out map[string]any) {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			followRef(ref, doc, out)
		}
		for _, v := range n {
			collectRefs(v, doc, out)
		}
	case []any:
		for _, v := range n {
			collectRefs(v, doc, out)
		}
	}
}

func followRef(ref string, doc, out map[string]any) {
	if !componentRef(ref) || lookup(out, ref) != nil {
		return
	}
	target := lookup(doc, ref)
	if target == nil {
		return
	}
	setPointer(out, ref, target)
	collectRefs(target, doc, out)
}

// componentRef says whether ref points into a document's reusable parts:
// only those are copied, never paths (a $ref into #/paths would copy
// operations the filter just left out).
func componentRef(ref string) bool {
	for _, prefix := range []string{"#/definitions/", "#/responses/", "#/parameters/", "#/components/"} {
		if strings.HasPrefix(ref, prefix) {
			return true
		}
	}
	return false
}

// lookup resolves a local JSON pointer ("#/a/b") in doc.
func lookup(doc map[string]any, ref string) any {
	var cur any = doc
	for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[unescapePointer(seg)]
	}
	return cur
}

// setPointer stores v at a local JSON pointer, creating objects on the way.
func setPointer(doc map[string]any, ref string, v any) {
	segs := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
	cur := doc
	for _, seg := range segs[:len(segs)-1] {
		next, ok := cur[unescapePointer(seg)].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[unescapePointer(seg)] = next
		}
		cur = next
	}
	cur[unescapePointer(segs[len(segs)-1])] = v
}

func unescapePointer(s string) string {
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// declarePathParams adds the path parameters the upstream spec uses in a path
// template but never declares (every Incus {name} route).
func declarePathParams(doc map[string]any, describe func(name string) string, rep *Repairs) {
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		item, ok := paths[p].(map[string]any)
		if !ok {
			continue // filterDoc only keeps objects; anything else has nothing to declare
		}
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

// toV3 converts a (filtered, repaired) Swagger 2.0 document. kin-openapi's
// converter panics on some malformed documents (a null response): that is
// the upstream spec's fault, reported as an error naming the conversion.
func toV3(doc map[string]any) (d3 *openapi3.T, err error) {
	defer func() {
		if r := recover(); r != nil {
			d3, err = nil, fmt.Errorf("convert swagger 2.0 to openapi 3: the upstream spec is malformed: %v", r)
		}
	}()
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode swagger 2.0: %w", err)
	}
	var d2 openapi2.T
	if err := json.Unmarshal(raw, &d2); err != nil {
		return nil, fmt.Errorf("decode swagger 2.0: %w", err)
	}
	d3, err = openapi2conv.ToV3(&d2)
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
