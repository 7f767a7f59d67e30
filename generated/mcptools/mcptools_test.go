package mcptools_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/mcptools"
	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/mcp"
)

// TestListingIsTheDerivation holds tools.json equal to the tools clustergate
// derives from its embedded specs at start-up: the stdio server lists the
// first and calls the second.
func TestListingIsTheDerivation(t *testing.T) {
	derived, err := app.AllTools()
	require.NoError(t, err)
	listings, err := mcp.Listings(derived)
	require.NoError(t, err)
	want, err := json.MarshalIndent(listings, "", "  ")
	require.NoError(t, err)
	got, err := os.ReadFile("tools.json")
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(got), "generated/mcptools/tools.json is out of date: run `make generate`")
}

// TestListedToolsListAsDerived decodes the listing into tools that show the
// same name, hints, schemas and safety as the derived ones, in their order.
func TestListedToolsListAsDerived(t *testing.T) {
	derived, err := app.AllTools()
	require.NoError(t, err)
	listed, err := mcptools.Listed()
	require.NoError(t, err)
	require.Len(t, listed, len(derived))
	want, err := mcp.Listings(derived)
	require.NoError(t, err)
	got, err := mcp.Listings(listed)
	require.NoError(t, err)
	for i, d := range derived {
		l := listed[i]
		assert.Equal(t, d.Name, l.Name)
		assert.Equal(t, d.Annotations, l.Annotations, d.Name)
		assert.Equal(t, d.Op.Surface, l.Op.Surface, d.Name)
		assert.Equal(t, d.Op.Safety, l.Op.Safety, d.Name)
		assert.Equal(t, d.Op.RequiredRole(), l.Op.RequiredRole(), d.Name)
		assert.JSONEq(t, string(want[i].InputSchema), string(got[i].InputSchema), d.Name)
		if want[i].OutputSchema == nil {
			assert.Nil(t, got[i].OutputSchema, d.Name)
			continue
		}
		assert.JSONEq(t, string(want[i].OutputSchema), string(got[i].OutputSchema), d.Name)
	}
}
