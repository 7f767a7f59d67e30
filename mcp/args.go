package mcp

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// checkParams holds path, query and header arguments to the schema the
// facade spec gives their parameter, as the request validator holds a REST
// caller's: without it {"name": 2} went out as "2" and came back "not found",
// and a number where a string belongs was sent on. A null optional argument
// counts as absent; an empty path argument is refused (it would name the
// collection instead of a member).
func (t *Tool) checkParams(args map[string]json.RawMessage) error {
	for _, p := range t.params {
		raw, ok := args[p.arg]
		if !ok {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("invalid argument %q: %v", p.arg, err)
		}
		if v == nil {
			delete(args, p.arg) // required ones were refused before
			continue
		}
		if p.in == "path" && scalar(raw) == "" {
			return fmt.Errorf("invalid argument %q: must not be empty", p.arg)
		}
		if p.schema == nil {
			continue
		}
		if err := p.schema.VisitJSON(v); err != nil {
			return fmt.Errorf("invalid argument %q: %s", p.arg, reason(err))
		}
	}
	return nil
}

// reason is a schema error's reason without the schema and value dump
// kin-openapi appends.
func reason(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) && se.Reason != "" {
		return se.Reason
	}
	return err.Error()
}
