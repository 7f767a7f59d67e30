// Package tools checks the whole MCP tool list as clients see it: a golden
// snapshot (rewrite with UPDATE_GOLDEN=1) and invariants over every tool.
package tools

import (
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/specgen"
	"github.com/clustergate/clustergate/mcp"
)

const golden = "testdata/tools.golden.json"

func served(t *testing.T) []mcp.Tool {
	t.Helper()
	cfg, err := config.Load(flag.NewFlagSet("t", flag.ContinueOnError), nil, func(string) string { return "" })
	require.NoError(t, err)
	st, err := app.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	require.NoError(t, err)
	return st.Tools
}

// snapshot is the client-visible part of a tool.
type snapshot struct {
	Name         string          `json:"name"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Annotations  mcp.Annotations `json:"annotations"`
	InputSchema  map[string]any  `json:"inputSchema"`
	OutputSchema map[string]any  `json:"outputSchema,omitempty"`
}

func TestToolListMatchesGoldenSnapshot(t *testing.T) {
	var snaps []snapshot
	for _, tool := range served(t) {
		snaps = append(snaps, snapshot{tool.Name, tool.Title, tool.Description, tool.Annotations, tool.InputSchema, tool.OutputSchema})
	}
	got, err := json.MarshalIndent(snaps, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "no golden snapshot: run UPDATE_GOLDEN=1 go test ./tests/tools/")
	if string(want) != string(got) {
		t.Log("the tool list changed; for MCP clients that means:\n" + classify(t, want, got))
	}
	require.Equal(t, string(want), string(got), "the tool list changed (classified above): review, then UPDATE_GOLDEN=1 go test ./tests/tools/")
}

var toolName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func TestInvariantsOverAllTools(t *testing.T) {
	tools := served(t)
	seen := map[string]bool{}
	for _, tool := range tools {
		t.Run(tool.Name, func(t *testing.T) {
			assert.False(t, seen[tool.Name], "unique name")
			seen[tool.Name] = true
			assert.Regexp(t, toolName, tool.Name)
			assert.NotEmpty(t, tool.Title)
			assert.NotEmpty(t, tool.Annotations.Title)
			assert.NotEmpty(t, tool.Description)
			assert.False(t, tool.Annotations.ReadOnly && tool.Annotations.Destructive, "read-only tools are not destructive")
			in := tool.InputSchema
			assert.Equal(t, "object", in["type"])
			assert.Equal(t, false, in["additionalProperties"])
			for _, k := range []string{"oneOf", "anyOf", "allOf"} {
				assert.NotContains(t, in, k, "no top-level %s", k)
			}
			compiles(t, in)
			if tool.OutputSchema != nil {
				assert.Equal(t, "object", tool.OutputSchema["type"])
				compiles(t, tool.OutputSchema)
			}
			if tool.Annotations.Destructive {
				assert.Contains(t, in["required"], "confirm", "destructive tools need confirm")
			}
		})
	}
}

// compiles checks a schema with the JSON Schema library the MCP SDK uses.
func compiles(t *testing.T, schema map[string]any) {
	t.Helper()
	raw, err := json.Marshal(schema)
	require.NoError(t, err)
	var s jsonschema.Schema
	require.NoError(t, json.Unmarshal(raw, &s))
	_, err = s.Resolve(nil)
	assert.NoError(t, err)
}

func TestEveryCapabilityToolIsServedUnderItsName(t *testing.T) {
	names := map[string]bool{}
	for _, tool := range served(t) {
		names[tool.Name] = true
	}
	docs, err := filepath.Glob("../../openapi/capabilities/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	for _, path := range docs {
		c, err := specgen.LoadCapability(path)
		require.NoError(t, err)
		for _, tool := range c.ToolsByCall() {
			assert.True(t, names[tool.Name], "%s: tool %s", filepath.Base(path), tool.Name)
		}
	}
}
