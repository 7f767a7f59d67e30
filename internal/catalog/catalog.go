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

	"github.com/clustergate/clustergate/internal/auth"
)

// Hints are the MCP annotations of an operation, as specgen wrote them.
type Hints struct {
	ReadOnly    bool `json:"readOnly"`
	Destructive bool `json:"destructive"`
	Idempotent  bool `json:"idempotent"`
	OpenWorld   bool `json:"openWorld"`
}

// Op is one facade operation.
type Op struct {
	Surface     string
	OperationID string
	Method      string
	Path        string // OpenAPI template, e.g. /v1/1-0/cluster/members/{name}
	EchoPath    string // Echo's form, e.g. /v1/1-0/cluster/members/:name
	Summary     string
	Tool        string // MCP tool name; empty when the route is REST only
	Hints       Hints
	Sensitive   bool // requests or responses carry secrets
	Operation   *openapi3.Operation
	Follow      *Follow // how to follow a 202; nil when the operation never answers one
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
			var err error
			if o.Follow, err = followOf(op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			ops = append(ops, o)
		}
	}
	if err := checkFollows(ops); err != nil {
		return nil, err
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}

func readExtensions(o *Op, ext map[string]any) error {
	if t, ok := ext["x-mcp-tool"].(string); ok {
		o.Tool = t
	}
	if s, ok := ext["x-sensitive"].(bool); ok {
		o.Sensitive = s
	}
	if h, ok := ext["x-mcp-hints"]; ok {
		raw, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &o.Hints); err != nil {
			return fmt.Errorf("x-mcp-hints: %w", err)
		}
	}
	return nil
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// EchoPath turns an OpenAPI path template into Echo's route syntax.
func EchoPath(path string) string { return templateParam.ReplaceAllString(path, ":$1") }

// RequiredRole is the least role allowed to run op, derived from its hints
// and sensitivity: reads that reveal no secret are for viewers, writes that
// destroy nothing and reveal no secret for operators, and destructive or
// sensitive operations (join and pair tokens, kubeconfigs, certificates)
// for admins.
func (o Op) RequiredRole() auth.Role {
	switch {
	case o.Sensitive || o.Hints.Destructive:
		return auth.Admin
	case o.Hints.ReadOnly:
		return auth.Viewer
	}
	return auth.Operator
}

// Mode restricts what clustergate serves.
type Mode struct {
	ReadOnly           bool // only operations hinted read-only
	DisableDestructive bool // no operations hinted destructive
}

// Refusal says why mode refuses op, or "" when op is allowed. The REST
// routes and the MCP tool list apply the same rule.
func (m Mode) Refusal(op Op) string {
	switch {
	case m.ReadOnly && !op.Hints.ReadOnly:
		return fmt.Sprintf("clustergate runs read-only: %s changes state", op.OperationID)
	case m.DisableDestructive && op.Hints.Destructive:
		return fmt.Sprintf("clustergate runs with destructive operations disabled: %s is destructive", op.OperationID)
	}
	return ""
}
