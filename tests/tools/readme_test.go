package tools

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
)

const beginRoutes, endRoutes = "<!-- routes:begin -->\n", "<!-- routes:end -->"

// TestReadmeRouteTableIsCurrent keeps README.md's route table equal to what
// `clustergate routes` prints. Fix: UPDATE_DOCS=1 go test ./tests/tools/
func TestReadmeRouteTableIsCurrent(t *testing.T) {
	cfg, err := config.Load(flag.NewFlagSet("t", flag.ContinueOnError), nil, func(string) string { return "" })
	require.NoError(t, err)
	st, err := app.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	require.NoError(t, err)
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)
	start, end := strings.Index(readme, beginRoutes), strings.Index(readme, endRoutes)
	require.True(t, start >= 0 && end > start, "README.md lacks the routes markers")
	want := readme[:start+len(beginRoutes)] + st.RoutesTable() + readme[end:]
	if os.Getenv("UPDATE_DOCS") == "1" {
		require.NoError(t, os.WriteFile("../../README.md", []byte(want), 0o644))
		return
	}
	require.Equal(t, want, readme, "README.md's route table is stale: UPDATE_DOCS=1 go test ./tests/tools/")
}
