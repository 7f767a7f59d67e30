package config

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const beginRef, endRef = "<!-- config-reference:begin -->\n", "<!-- config-reference:end -->"

// TestReadmeConfigReferenceIsCurrent fails when README.md's configuration
// table differs from the settings in code. Fix: UPDATE_DOCS=1 go test ./internal/config/
func TestReadmeConfigReferenceIsCurrent(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)
	start, end := strings.Index(readme, beginRef), strings.Index(readme, endRef)
	require.True(t, start >= 0 && end > start, "README.md lacks the config-reference markers")
	want := readme[:start+len(beginRef)] + Reference() + readme[end:]
	if os.Getenv("UPDATE_DOCS") == "1" {
		require.NoError(t, os.WriteFile("../../README.md", []byte(want), 0o644))
		return
	}
	require.Equal(t, want, readme, "README.md's configuration reference is stale: run UPDATE_DOCS=1 go test ./internal/config/")
}
