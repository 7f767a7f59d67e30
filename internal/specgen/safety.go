package specgen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/clustergate/clustergate/internal/vocab"
)

// classify writes the safety class of every operation of a merged facade
// document (x-safety-class), after the overlay patch so the overlay's hints
// count. The rule is vocab.ClassOf: hints where there are any, the HTTP
// method otherwise.
func classify(doc map[string]any) error {
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			op, ok := item[method].(map[string]any)
			if !ok || !isMethod(method) {
				continue
			}
			hints, err := readHints(op[vocab.ExtHints])
			if err != nil {
				return fmt.Errorf("%s %s: %w", strings.ToUpper(method), path, err)
			}
			op[vocab.ExtClass] = string(vocab.ClassOf(method, hints))
		}
	}
	return nil
}

func isMethod(m string) bool {
	switch strings.ToUpper(m) {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// readHints decodes x-mcp-hints; nil when the operation has none.
func readHints(v any) (*vocab.Hints, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var h vocab.Hints
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("%s: %w", vocab.ExtHints, err)
	}
	return &h, nil
}

// errorSchema is the one error shape of every route of every surface,
// derived from vocab.ErrorBody: fields without omitempty are required.
func errorSchema() map[string]any {
	props, required := map[string]any{}, []any{}
	t := reflect.TypeFor[vocab.ErrorBody]()
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		typ := "string"
		if f.Type.Kind() == reflect.Int {
			typ = "integer"
		}
		props[name] = map[string]any{"type": typ, "description": f.Tag.Get("doc")}
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	return map[string]any{"type": "object", "description": "The error shape of every clustergate route.",
		"required": required, "properties": props}
}
