// Package catalog reads the facade specs' operations and their x- extensions
// (MCP tool name, hints, sensitivity, upstream) into one table. The server's
// logs and metrics, the RBAC table, the MCP tool list and the CLI listings
// all derive from it, so no route is listed twice by hand.
package catalog

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Op is one facade operation.
type Op struct {
	Surface     string
	OperationID string
	Method      string
	Path        string // OpenAPI template, e.g. /v1/1-0/cluster/members/{name}
	EchoPath    string // Echo's form, e.g. /v1/1-0/cluster/members/:name
	Summary     string
	Tool        string       // MCP tool name; empty when the route is REST only
	Hints       vocab.Hints  // MCP annotations; zero when the route has no tool
	Safety      vocab.Safety // class and sensitivity, as specgen wrote them
	UpstreamOp  string       // the upstream's operationId, when its spec has one
	Operation   *openapi3.Operation
}

// Key is how a matched Echo route finds its operation.
func (o Op) Key() string { return o.Method + " " + o.EchoPath }

// FromSpec lists a facade spec's operations, sorted by path then method.
func FromSpec(surface string, doc *openapi3.T) ([]Op, error) {
	var ops []Op
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			o := Op{Surface: surface, OperationID: op.OperationID, Method: method, Path: path,
				EchoPath: EchoPath(path), Summary: op.Summary, Operation: op}
			if err := readExtensions(&o, op.Extensions); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}

// readExtensions reads the vocabulary's operation extensions. A missing
// class is an error: specgen writes one for every operation, and guessing
// one here is how a read came to be treated as a write.
func readExtensions(o *Op, ext map[string]any) error {
	if t, ok := ext[vocab.ExtTool].(string); ok {
		o.Tool = t
	}
	if s, ok := ext[vocab.ExtSensitive].(bool); ok {
		o.Safety.Sensitive = s
	}
	class, _ := ext[vocab.ExtClass].(string)
	c, err := vocab.ParseClass(class)
	if err != nil {
		return fmt.Errorf("%s: %w (run make generate)", vocab.ExtClass, err)
	}
	o.Safety.Class = c
	if up, ok := ext[vocab.ExtUpstream].(map[string]any); ok {
		o.UpstreamOp, _ = up["operationId"].(string)
	}
	if h, ok := ext[vocab.ExtHints]; ok {
		raw, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &o.Hints); err != nil {
			return fmt.Errorf("%s: %w", vocab.ExtHints, err)
		}
	}
	return nil
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// EchoPath turns an OpenAPI path template into Echo's route syntax.
func EchoPath(path string) string { return templateParam.ReplaceAllString(path, ":$1") }

// RequiredRole is the least role allowed to run op (vocab's rule).
func (o Op) RequiredRole() vocab.Role { return o.Safety.Role() }

// Mode restricts what clustergate serves.
type Mode struct {
	ReadOnly           bool // only operations of class read
	DisableDestructive bool // no operations of class destructive
}

// Refusal says why mode refuses op, or "" when op is allowed. The REST
// routes and the MCP tool list apply the same rule.
func (m Mode) Refusal(op Op) string {
	switch {
	case m.ReadOnly && op.Safety.ChangesState():
		return fmt.Sprintf("clustergate runs read-only: %s changes state", op.OperationID)
	case m.DisableDestructive && op.Safety.Class == vocab.Destructive:
		return fmt.Sprintf("clustergate runs with destructive operations disabled: %s is destructive", op.OperationID)
	}
	return ""
}
