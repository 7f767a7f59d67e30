package mcp

import (
	"encoding/json"
	"fmt"

	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/vocab"
)

// Listing is what tools/list shows of a tool, and what picks the tools a
// caller sees (its surface and safety, for ForRole, ForScope and the
// mode's refusals). `make generate` writes every tool's listing, derived as
// at start-up, to generated/mcptools; the stdio server answers its first
// tools/list from it while the specs are still being parsed, most of
// start-up (see ServeStdioPending).
type Listing struct {
	Name         string         `json:"name"`
	Title        string         `json:"title"`
	Description  string         `json:"description"`
	Annotations  Annotations    `json:"annotations"`
	InputSchema  map[string]any `json:"inputSchema"`
	OutputSchema map[string]any `json:"outputSchema,omitempty"`
	Surface      string         `json:"surface"`
	OperationID  string         `json:"operationId"`
	Class        vocab.Class    `json:"class"`
	Sensitive    bool           `json:"sensitive,omitempty"`
}

// Listings are the tools' listings, in the tools' order.
func Listings(tools []Tool) []Listing {
	out := make([]Listing, 0, len(tools))
	for _, t := range tools {
		out = append(out, Listing{Name: t.Name, Title: t.Title, Description: t.Description, Annotations: t.Annotations,
			InputSchema: t.InputSchema, OutputSchema: t.OutputSchema, Surface: t.Op.Surface,
			OperationID: t.Op.OperationID, Class: t.Op.Safety.Class, Sensitive: t.Op.Safety.Sensitive})
	}
	return out
}

// ListedTools decodes listings (as Listings wrote them, in JSON) into tools
// that can be listed and filtered but not called: they carry no parameter
// schemas; a call takes the built tool of the same name.
func ListedTools(data []byte) ([]Tool, error) {
	var ls []Listing
	if err := json.Unmarshal(data, &ls); err != nil {
		return nil, fmt.Errorf("decode the generated tool listing: %w", err)
	}
	tools := make([]Tool, 0, len(ls))
	for _, l := range ls {
		if l.Name == "" || l.InputSchema == nil {
			return nil, fmt.Errorf("generated tool listing: an entry without a name or input schema (%q)", l.Name)
		}
		tools = append(tools, Tool{Name: l.Name, Title: l.Title, Description: l.Description, Annotations: l.Annotations,
			InputSchema: l.InputSchema, OutputSchema: l.OutputSchema, Op: catalog.Op{Surface: l.Surface,
				OperationID: l.OperationID, Tool: l.Name, Summary: l.Title,
				Safety: vocab.Safety{Class: l.Class, Sensitive: l.Sensitive}}})
	}
	return tools, nil
}
