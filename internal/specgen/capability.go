package specgen

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Capability is the part of a Naftiko capability document (1.0.0-alpha2)
// that the facade is derived from.
type Capability struct {
	Info struct {
		Label       string `yaml:"label"`
		Description string `yaml:"description"`
	} `yaml:"info"`
	Capability struct {
		Consumes []Consumed `yaml:"consumes"`
		Exposes  []Exposed  `yaml:"exposes"`
	} `yaml:"capability"`
}

// Consumed is one upstream API the capability calls.
type Consumed struct {
	Namespace string `yaml:"namespace"`
	Resources []struct {
		Path       string       `yaml:"path"`
		Operations []ConsumedOp `yaml:"operations"`
	} `yaml:"resources"`
}

// ConsumedOp is an upstream operation; Path is filled from its resource.
type ConsumedOp struct {
	Name        string       `yaml:"name"`
	Method      string       `yaml:"method"`
	Description string       `yaml:"description"`
	Inputs      []InputParam `yaml:"inputParameters"`
	Path        string       `yaml:"-"`
}

// InputParam is a consumed operation's declared input.
type InputParam struct {
	Name        string `yaml:"name"`
	In          string `yaml:"in"`
	Description string `yaml:"description"`
	Required    bool   `yaml:"required"`
}

// Exposed is a REST or MCP adapter block.
type Exposed struct {
	Type      string `yaml:"type"`
	Resources []struct {
		Path       string      `yaml:"path"`
		Operations []ExposedOp `yaml:"operations"`
	} `yaml:"resources"`
	Tools []Tool `yaml:"tools"`
}

// ExposedOp is a REST route; Path is filled from its resource.
type ExposedOp struct {
	Method      string `yaml:"method"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Call        string `yaml:"call"`
	Path        string `yaml:"-"`
}

// Tool is an MCP tool of the capability.
type Tool struct {
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	Hints       vocab.Hints `yaml:"hints"`
	Call        string      `yaml:"call"`
}

// LoadCapability reads a capability document.
func LoadCapability(path string) (*Capability, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read capability: %w", err)
	}
	var c Capability
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("parse capability %s: %w", path, err)
	}
	return &c, nil
}

// Consumed returns every consumed operation keyed by "namespace.name", the
// form exposed operations use in `call`.
func (c *Capability) ConsumedOps() map[string]ConsumedOp {
	ops := map[string]ConsumedOp{}
	for _, ns := range c.Capability.Consumes {
		for _, r := range ns.Resources {
			for _, op := range r.Operations {
				op.Path = r.Path
				op.Method = strings.ToUpper(op.Method)
				ops[ns.Namespace+"."+op.Name] = op
			}
		}
	}
	return ops
}

// RESTOps lists the exposed REST routes in document order.
func (c *Capability) RESTOps() []ExposedOp {
	var ops []ExposedOp
	for _, e := range c.Capability.Exposes {
		if e.Type != "rest" {
			continue
		}
		for _, r := range e.Resources {
			for _, op := range r.Operations {
				op.Path = r.Path
				op.Method = strings.ToUpper(op.Method)
				ops = append(ops, op)
			}
		}
	}
	return ops
}

// ToolsByCall indexes the MCP tools by the consumed operation they call.
func (c *Capability) ToolsByCall() map[string]Tool {
	tools := map[string]Tool{}
	for _, e := range c.Capability.Exposes {
		if e.Type != "mcp" {
			continue
		}
		for _, t := range e.Tools {
			tools[t.Call] = t
		}
	}
	return tools
}
