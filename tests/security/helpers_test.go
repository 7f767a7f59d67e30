package security

import (
	"context"
	"net/http"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/clustergate/clustergate/tests/cgtest"
)

func mcpSessionNoKey(t *testing.T, gate *cgtest.Gate) (*sdk.ClientSession, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sdk.NewClient(&sdk.Implementation{Name: "security"}, nil).Connect(ctx,
		&sdk.StreamableClientTransport{Endpoint: gate.MCPURL, HTTPClient: http.DefaultClient}, nil)
	if err == nil {
		t.Cleanup(func() { _ = s.Close() })
	}
	return s, err
}

func callParams(tool string) *sdk.CallToolParams { return &sdk.CallToolParams{Name: tool} }
