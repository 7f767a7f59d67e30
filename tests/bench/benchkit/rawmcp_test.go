package benchkit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestRawMCPAgainstSDKServer runs the raw client against the Go SDK's own
// streamable HTTP server, answering as SSE and as application/json: a tool
// that succeeds is a success, an isError result and an unknown tool are
// failures, every call reuses one connection, and the session is the one
// initialize opened (after Close the server no longer knows it).
func TestRawMCPAgainstSDKServer(t *testing.T) {
	for _, jsonResponse := range []bool{false, true} {
		name := map[bool]string{false: "sse", true: "json"}[jsonResponse]
		t.Run(name, func(t *testing.T) {
			srv := sdk.NewServer(&sdk.Implementation{Name: "raw-test", Version: "1"}, nil)
			for _, tool := range []string{"ok", "fail"} {
				srv.AddTool(&sdk.Tool{Name: tool, InputSchema: map[string]any{"type": "object"}},
					func(context.Context, *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
						return &sdk.CallToolResult{IsError: tool == "fail", Content: []sdk.Content{&sdk.TextContent{Text: tool + " said so"}}}, nil
					})
			}
			hs := httptest.NewServer(sdk.NewStreamableHTTPHandler(func(*http.Request) *sdk.Server { return srv },
				&sdk.StreamableHTTPOptions{JSONResponse: jsonResponse}))
			defer hs.Close()
			ctx := context.Background()
			c, err := DialRawMCP(ctx, hs.URL, "")
			if err != nil {
				t.Fatal(err)
			}
			if c.session == "" {
				t.Fatal("initialize returned no Mcp-Session-Id")
			}
			for i := 0; i < 5; i++ {
				if err := c.CallTool(ctx, "ok", map[string]any{}); err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if err := c.CallTool(ctx, "fail", map[string]any{}); err == nil || !strings.Contains(err.Error(), "fail said so") {
				t.Errorf("isError result: got %v, want an error quoting the tool's text", err)
			}
			if err := c.CallTool(ctx, "missing", map[string]any{}); err == nil {
				t.Error("unknown tool: got no error")
			}
			// initialize, notifications/initialized and 7 calls, on one connection.
			if c.Requests() != 9 || c.Dials() != 1 {
				t.Errorf("%d requests over %d connections, want 9 over 1", c.Requests(), c.Dials())
			}
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			if err := c.CallTool(ctx, "ok", map[string]any{}); err == nil || !strings.Contains(err.Error(), "status 404") {
				t.Errorf("call after Close: got %v, want status 404 (session ended)", err)
			}
		})
	}
}

// TestReadSSESkipsOtherMessages: the response is found after a
// notification, a comment and an event split over several data: lines with
// CRLF line ends; an answer to another id is not taken for it.
func TestReadSSESkipsOtherMessages(t *testing.T) {
	stream := ": comment\n" +
		"event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\n\n" +
		"data: {\"jsonrpc\":\"2.0\",\"id\":6,\"result\":{\"b\":2}}\n\n" +
		"id: 1\r\ndata: {\"jsonrpc\":\"2.0\",\r\ndata: \"id\":7,\r\ndata:\"result\":{\"a\":1}}\r\n\r\n"
	m, err := readSSE(strings.NewReader(stream), 7)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Result) != `{"a":1}` {
		t.Errorf("result %s, want {\"a\":1}", m.Result)
	}
	if _, err := readSSE(strings.NewReader(stream), 8); err == nil {
		t.Error("id 8 never answered: got no error")
	}
}
