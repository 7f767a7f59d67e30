package catalog

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Follow is how to follow an operation's 202 (the work still running): the
// operation that polls it and where each of that operation's parameters
// comes from, as the OpenAPI link on the 202 response says. The REST
// Location header and the MCP result's "call this tool" both derive from it.
type Follow struct {
	OperationID string
	Params      map[string]string // parameter name -> runtime expression
}

// Runtime expressions a link may use: a field of the 202 body, or a path
// parameter of the request.
const (
	fromBody = "$response.body#"
	fromPath = "$request.path."
)

// followOf reads the link on op's 202 response; nil when there is none.
func followOf(op *openapi3.Operation) (*Follow, error) {
	r := op.Responses.Value("202")
	if r == nil || r.Value == nil || len(r.Value.Links) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(r.Value.Links))
	for n := range r.Value.Links {
		names = append(names, n)
	}
	sort.Strings(names)
	l := r.Value.Links[names[0]].Value
	if l == nil || l.OperationID == "" {
		return nil, fmt.Errorf("202 link %q names no operationId", names[0])
	}
	f := &Follow{OperationID: l.OperationID, Params: map[string]string{}}
	for name, v := range l.Parameters {
		expr, _ := v.(string)
		if !strings.HasPrefix(expr, fromBody+"/") && !strings.HasPrefix(expr, fromPath) {
			return nil, fmt.Errorf("202 link %q: parameter %s = %v: only %s/... and %s... are supported", names[0], name, v, fromBody, fromPath)
		}
		f.Params[name] = expr
	}
	return f, nil
}

// Resolve evaluates the link's parameters against the request's path
// parameters and the 202 body.
func (f *Follow) Resolve(path map[string]string, body []byte) (map[string]string, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("202 body is not JSON: %w", err)
	}
	out := make(map[string]string, len(f.Params))
	for name, expr := range f.Params {
		if p, ok := strings.CutPrefix(expr, fromPath); ok {
			v, ok := path[p]
			if !ok {
				return nil, fmt.Errorf("%s: the request has no path parameter %s", name, p)
			}
			out[name] = v
			continue
		}
		v, err := pointer(doc, strings.TrimPrefix(expr, fromBody))
		if err != nil {
			return nil, fmt.Errorf("%s = %s: %w", name, expr, err)
		}
		out[name] = v
	}
	return out, nil
}

// pointer reads the scalar at a JSON pointer (RFC 6901) as text.
func pointer(doc any, ptr string) (string, error) {
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch n := doc.(type) {
		case map[string]any:
			doc = n[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return "", fmt.Errorf("no element %q", tok)
			}
			doc = n[i]
		default:
			return "", fmt.Errorf("no field %q", tok)
		}
	}
	switch v := doc.(type) {
	case string:
		if v == "" {
			return "", fmt.Errorf("empty")
		}
		return v, nil
	case float64, bool:
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("not a string, number or boolean")
}

// URL is o's path with params filled in, each escaped.
func (o Op) URL(params map[string]string) string {
	return templateParam.ReplaceAllStringFunc(o.Path, func(m string) string {
		return url.PathEscape(params[strings.Trim(m, "{}")])
	})
}

// checkFollows refuses a 202 link to an operation the surface does not
// serve.
func checkFollows(ops []Op) error {
	for _, o := range ops {
		if o.Follow != nil {
			if _, ok := ByID(ops, o.Follow.OperationID); !ok {
				return fmt.Errorf("%s: its 202 link names %q, which is not an operation of %s", o.OperationID, o.Follow.OperationID, o.Surface)
			}
		}
	}
	return nil
}

// ByID finds an operation by operationId.
func ByID(ops []Op, id string) (Op, bool) {
	for _, o := range ops {
		if o.OperationID == id {
			return o, true
		}
	}
	return Op{}, false
}
