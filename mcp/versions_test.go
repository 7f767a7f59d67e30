package mcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The revisions each streamable HTTP mode speaks, as the README's "MCP
// protocol versions" paragraph states them.
func TestVersionsPerMode(t *testing.T) {
	assert.Equal(t, []string{"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}, Versions(true), "stateful")
	assert.Equal(t, []string{"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}, Versions(false), "stateless and stdio")
}
