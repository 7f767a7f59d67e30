package apidiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Ack acknowledges one breaking change a release makes on purpose.
type Ack struct {
	Route   string `yaml:"route,omitempty"` // "METHOD /v1/path", for route changes
	Tool    string `yaml:"tool,omitempty"`  // MCP tool name, for tool-* changes
	Rule    string `yaml:"rule"`            // oasdiff rule id or tool-* rule
	Reason  string `yaml:"reason"`
	Version string `yaml:"version"` // the release that makes the change
}

// Acks is openapi/breaking-changes.yaml.
type Acks struct {
	Acknowledged []Ack `yaml:"acknowledged"`
}

// LoadAcks reads the acknowledgements; a missing file acknowledges nothing.
func LoadAcks(path string) (*Acks, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Acks{}, nil
	}
	if err != nil {
		return nil, err
	}
	var a Acks
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	for i, k := range a.Acknowledged {
		if (k.Route == "") == (k.Tool == "") || k.Rule == "" || strings.TrimSpace(k.Reason) == "" || k.Version == "" {
			return nil, fmt.Errorf("%s: entry %d needs exactly one of route or tool, and rule, reason and version", path, i+1)
		}
	}
	return &a, nil
}

// Find returns the acknowledgement of c, if any.
func (a *Acks) Find(c Change) (Ack, bool) {
	for _, k := range a.Acknowledged {
		if k.Rule != c.Rule {
			continue
		}
		if (k.Tool != "" && isToolRule(c.Rule) && k.Tool == c.Tool) ||
			(k.Route != "" && !isToolRule(c.Rule) && normRoute(k.Route) == c.Route) {
			return k, true
		}
	}
	return Ack{}, false
}

func normRoute(r string) string {
	f := strings.Fields(r)
	if len(f) != 2 {
		return r
	}
	return strings.ToUpper(f[0]) + " " + f[1]
}
