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
	Name         string          `json:"name"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Annotations  Annotations     `json:"annotations"`
	InputSchema  json.RawMessage `json:"inputSchema"`
	OutputSchema json.RawMessage `json:"outputSchema,omitempty"`
	Surface      string          `json:"surface"`
	OperationID  string          `json:"operationId"`
	Class        vocab.Class     `json:"class"`
	Sensitive    bool            `json:"sensitive,omitempty"`
}

// Listings are the tools' listings, in the tools' order.
func Listings(tools []Tool) ([]Listing, error) {
	ls := make([]Listing, 0, len(tools))
	for _, t := range tools {
		in, out, err := t.schemasJSON()
		if err != nil {
			return nil, fmt.Errorf("tool %s: %w", t.Name, err)
		}
		ls = append(ls, Listing{Name: t.Name, Title: t.Title, Description: t.Description, Annotations: t.Annotations,
			InputSchema: in, OutputSchema: out, Surface: t.Op.Surface,
			OperationID: t.Op.OperationID, Class: t.Op.Safety.Class, Sensitive: t.Op.Safety.Sensitive})
	}
	return ls, nil
}

// schemasJSON is the tool's input and output schemas in JSON: as listed, or
// encoded from the derived ones.
func (t *Tool) schemasJSON() (in, out json.RawMessage, err error) {
	if t.listedInput != nil {
		return t.listedInput, t.listedOutput, nil
	}
	if in, err = json.Marshal(t.InputSchema); err != nil {
		return nil, nil, err
	}
	if t.OutputSchema != nil {
		out, err = json.Marshal(t.OutputSchema)
	}
	return in, out, err
}

// ListedTools decodes listings (as Listings wrote them, in JSON) into tools
// that can be listed and filtered but not called: they carry no parameter
// schemas; a call takes the built tool of the same name. Their schemas stay
// the listing's JSON, handed to the SDK as they are: decoding them is most
// of the time to the first tools/list that is not package initialisation,
// and the SDK decodes them again anyway.
func ListedTools(data []byte) ([]Tool, error) {
	var ls []Listing
	if err := json.Unmarshal(data, &ls); err != nil {
		return nil, fmt.Errorf("decode the generated tool listing: %w", err)
	}
	tools := make([]Tool, 0, len(ls))
	for _, l := range ls {
		if l.Name == "" || len(l.InputSchema) == 0 {
			return nil, fmt.Errorf("generated tool listing: an entry without a name or input schema (%q)", l.Name)
		}
		tools = append(tools, Tool{Name: l.Name, Title: l.Title, Description: l.Description, Annotations: l.Annotations,
			listedInput: l.InputSchema, listedOutput: l.OutputSchema, Op: catalog.Op{Surface: l.Surface,
				OperationID: l.OperationID, Tool: l.Name, Summary: l.Title,
				Safety: vocab.Safety{Class: l.Class, Sensitive: l.Sensitive}}})
	}
	return tools, nil
}
