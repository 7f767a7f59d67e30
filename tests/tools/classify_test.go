package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/apidiff"
)

// classify says what a change of the golden snapshot does to MCP clients,
// with the same rules as `make check-api`: breaking or not, per tool and
// argument or output field.
func classify(t *testing.T, want, got []byte) string {
	t.Helper()
	var lines []string
	for _, c := range apidiff.CompareTools(toolSchemas(t, want), toolSchemas(t, got)) {
		tag := "not breaking"
		if c.Breaking {
			tag = "BREAKING"
		}
		lines = append(lines, "  "+tag+": "+c.Line())
	}
	return strings.Join(lines, "\n")
}

func toolSchemas(t *testing.T, raw []byte) []apidiff.ToolSchemas {
	t.Helper()
	var snaps []snapshot
	require.NoError(t, json.Unmarshal(raw, &snaps))
	out := make([]apidiff.ToolSchemas, 0, len(snaps))
	for _, s := range snaps {
		out = append(out, apidiff.ToolSchemas{Name: s.Name, Input: s.InputSchema, Output: s.OutputSchema})
	}
	return out
}

// The classification reads the golden file's own JSON: a removed tool and
// a newly required argument are breaking, a new optional argument is not.
func TestGoldenSnapshotDiffIsClassified(t *testing.T) {
	before := []byte(`[
 {"name": "a", "inputSchema": {"type": "object", "properties": {"name": {"type": "string"}}}},
 {"name": "b", "inputSchema": {"type": "object", "properties": {"x": {"type": "string"}}}}
]`)
	after := []byte(`[
 {"name": "b", "inputSchema": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}, "y": {"type": "integer"}}}}
]`)
	got := classify(t, before, after)
	assert.Contains(t, got, "BREAKING: error    tool-removed  tool a: the MCP tool a was removed")
	assert.Contains(t, got, "BREAKING: error    tool-argument-became-required  tool b x:")
	assert.Contains(t, got, "not breaking: info     tool-optional-argument-added  tool b y:")
}
