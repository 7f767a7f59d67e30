// Package vocab is clustergate's access vocabulary, defined once: the x-
// extension keys specgen writes into the facade specs, the safety class of
// every operation and the rule that derives it, the roles and the rule that
// maps a class to the least role allowed, and the error body every layer
// answers with. specgen writes the class; the server, the MCP layer, the
// audit log, the docs and the tables read it. It imports nothing of
// clustergate so every layer may use it.
package vocab

import (
	"fmt"
	"net/http"
	"strings"
)

// The x- extension keys of the facade specs.
const (
	ExtTool        = "x-mcp-tool"     // operation: the MCP tool name
	ExtHints       = "x-mcp-hints"    // operation: MCP annotations (readOnly, destructive, idempotent, openWorld)
	ExtSensitive   = "x-sensitive"    // operation: requests or answers carry a secret
	ExtClass       = "x-safety-class" // operation: read, write or destructive (see Class)
	ExtUpstream    = "x-upstream"     // operation: the upstream method, path and operationId
	ExtSurface     = "x-surface"      // document: the surface name
	ExtUpstreamPin = "x-upstream-pin" // document: the pinned upstream module
)

// Class says what an operation does to upstream state.
type Class string

// The classes, from least to most harmful.
const (
	Read        Class = "read"        // changes nothing
	Write       Class = "write"       // changes state, can be undone
	Destructive Class = "destructive" // removes or invalidates something, or disrupts a running cluster
)

// Classes lists every class.
var Classes = []Class{Read, Write, Destructive}

// ParseClass reads a class as the facade specs spell it.
func ParseClass(s string) (Class, error) {
	for _, c := range Classes {
		if string(c) == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown safety class %q (read, write or destructive)", s)
}

// Hints are an operation's MCP annotations as the capability (or overlay)
// declares them.
type Hints struct {
	ReadOnly    bool `json:"readOnly" yaml:"readOnly"`
	Destructive bool `json:"destructive" yaml:"destructive"`
	Idempotent  bool `json:"idempotent" yaml:"idempotent"`
	OpenWorld   bool `json:"openWorld" yaml:"openWorld"`
}

// Safety is an operation's class and whether it carries a secret. Sensitive
// is separate from the class because one operation can be both: resetting
// a pair token is destructive (it invalidates every paired cluster's token)
// and sensitive (it answers the new one).
type Safety struct {
	Class     Class
	Sensitive bool
}

// ClassOf derives the class of an operation: from its hints when it has
// them (an operation with an MCP tool, or hints an overlay set), else from
// its HTTP method: GET and HEAD read, DELETE destroys, anything else writes.
func ClassOf(method string, hints *Hints) Class {
	if hints != nil {
		switch {
		case hints.Destructive:
			return Destructive
		case hints.ReadOnly:
			return Read
		}
		return Write
	}
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead:
		return Read
	case http.MethodDelete:
		return Destructive
	}
	return Write
}

// ChangesState says whether the operation changes upstream state.
func (s Safety) ChangesState() bool { return s.Class != Read }

// Audited says whether a call of the operation is written to the audit log:
// it changes state or reveals a secret.
func (s Safety) Audited() bool { return s.ChangesState() || s.Sensitive }

// Role is least role allowed to run the operation: reads that reveal no
// secret are for viewers, writes that destroy nothing and reveal no secret
// for operators, destructive or sensitive operations for admins.
func (s Safety) Role() Role {
	switch {
	case s.Sensitive || s.Class == Destructive:
		return Admin
	case s.Class == Read:
		return Viewer
	}
	return Operator
}

// String is the class, with ", sensitive" when it carries a secret.
func (s Safety) String() string {
	if s.Sensitive {
		return string(s.Class) + ", sensitive"
	}
	return string(s.Class)
}
