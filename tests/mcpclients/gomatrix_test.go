package mcpclients

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	mcpgo "github.com/mark3labs/mcp-go/client"
	mcpgotransport "github.com/mark3labs/mcp-go/client/transport"
	mcpgotypes "github.com/mark3labs/mcp-go/mcp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// mode is one way clustergate serves MCP, with the protocol revision a
// client that asks for the newest one ends up speaking there: the README's
// "MCP protocol versions" paragraph, written out as the contract.
type mode struct {
	name      string
	stdio     bool
	stateless bool
	version   string
}

var modes = []mode{
	{name: "http-stateful", version: "2025-11-25"},
	{name: "http-stateless", stateless: true, version: "2026-07-28"},
	{name: "stdio", stdio: true, version: "2026-07-28"},
}

// target is what clustergate fronts: the built-in sandbox or a real LXD.
type target struct {
	name   string
	env    map[string]string // upstream settings, as the binary reads them
	member string            // the member get-cluster-configuration answers as
}

// goSession is what the matrix needs from any Go client.
type goSession interface {
	version() string
	tools(ctx context.Context) ([]string, error)
	// call returns isError, the text content and structuredContent.
	call(ctx context.Context, name string, args map[string]any) (bool, string, map[string]any, error)
	close()
}

// goClient connects one Go MCP client library over one mode.
type goClient struct {
	name    string
	connect func(t *testing.T, ctx context.Context, url string, stdio *exec.Cmd) (goSession, error)
}

var goClients = []goClient{{"go-sdk", connectSDK}, {"mcp-go", connectMCPGo}}

// TestGoClientMatrix runs the official Go SDK client and mark3labs/mcp-go
// v1.2.1, both with their default settings (each asks for the newest
// revision first), over streamable HTTP with and without sessions and over
// stdio, against the sandbox and against a real LXD.
func TestGoClientMatrix(t *testing.T) {
	d := lxdtest.Start(t)
	targets := []target{
		{name: "sandbox", env: map[string]string{}, member: "node1"},
		{name: "lxd", env: map[string]string{"INCUS_SOCKET": d.Socket}, member: d.Name},
	}
	bin := cgtest.Binary(t)
	for _, tg := range targets {
		for _, m := range modes {
			env := map[string]string{"CLUSTERGATE_API_KEYS": "admin=" + adminKey, "CLUSTERGATE_MCP_KEY": adminKey,
				"CLUSTERGATE_MCP_STATELESS": fmt.Sprint(m.stateless)}
			for k, v := range tg.env {
				env[k] = v
			}
			gate := cgtest.Start(t, env) // the reference tool list, and the HTTP server
			for _, c := range goClients {
				t.Run(strings.Join([]string{tg.name, m.name, c.name}, "/"), func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
					defer cancel()
					var cmd *exec.Cmd
					if m.stdio {
						cmd = stdioCommand(t, bin, env)
					}
					s, err := c.connect(t, ctx, gate.MCPURL, cmd)
					require.NoError(t, err)
					defer s.close()
					exercise(t, ctx, s, m, tg, servedTools(gate))
				})
			}
		}
	}
}

// exercise checks one session: the negotiated revision, the whole tool
// list, a read that reaches the upstream, and an upstream error as isError.
func exercise(t *testing.T, ctx context.Context, s goSession, m mode, tg target, served map[string]bool) {
	t.Helper()
	assert.Equal(t, m.version, s.version(), "negotiated protocol revision")
	names, err := s.tools(ctx)
	require.NoError(t, err, "tools/list")
	listed := map[string]bool{}
	for _, n := range names {
		listed[n] = true
	}
	assert.Equal(t, sortedKeys(served), sortedKeys(listed))

	isErr, text, structured, err := s.call(ctx, "get-cluster-configuration", nil)
	require.NoError(t, err, "tools/call")
	require.False(t, isErr, text)
	assert.Equal(t, tg.member, structured["server_name"], "structuredContent")
	var copied map[string]any
	require.NoError(t, json.Unmarshal([]byte(text), &copied), "the text is a JSON copy: %s", text)
	assert.Equal(t, tg.member, copied["server_name"])

	isErr, text, _, err = s.call(ctx, "get-cluster-member", map[string]any{"name": "nobody"})
	require.NoError(t, err, "tools/call")
	assert.True(t, isErr)
	assert.Contains(t, text, "HTTP 404 from incus")
}

// stdioCommand is `clustergate mcp` as a desktop client starts it: only
// PATH and HOME from this process, then the settings.
func stdioCommand(t *testing.T, bin string, env map[string]string) *exec.Cmd {
	cmd := exec.Command(bin, "mcp")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.WaitDelay = waitDelay
	return cmd
}

// bearerTransport adds the API key to every request.
type bearerTransport struct{ key string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return http.DefaultTransport.RoundTrip(r)
}

// --- the official Go SDK ---

type sdkSession struct{ s *sdk.ClientSession }

func connectSDK(_ *testing.T, ctx context.Context, url string, stdio *exec.Cmd) (goSession, error) {
	var tr sdk.Transport = &sdk.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: bearerTransport{adminKey}}}
	if stdio != nil {
		tr = &sdk.CommandTransport{Command: stdio, TerminateDuration: time.Second}
	}
	c := sdk.NewClient(&sdk.Implementation{Name: "clustergate-matrix", Version: "1"}, nil)
	s, err := c.Connect(ctx, tr, nil)
	return sdkSession{s}, err
}

func (s sdkSession) version() string { return s.s.InitializeResult().ProtocolVersion }
func (s sdkSession) close()          { _ = s.s.Close() }

func (s sdkSession) tools(ctx context.Context) ([]string, error) {
	res, err := s.s.ListTools(ctx, nil)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	return names, nil
}

func (s sdkSession) call(ctx context.Context, name string, args map[string]any) (bool, string, map[string]any, error) {
	res, err := s.s.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		return false, "", nil, err
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	structured, _ := res.StructuredContent.(map[string]any)
	return res.IsError, b.String(), structured, nil
}

// --- mark3labs/mcp-go ---

type mcpGoSession struct {
	c *mcpgo.Client
	v string
}

// connectMCPGo uses the library's defaults: no pinned protocol version, so
// Initialize probes server/discover at 2026-07-28 first.
func connectMCPGo(t *testing.T, ctx context.Context, url string, stdio *exec.Cmd) (goSession, error) {
	var c *mcpgo.Client
	var err error
	if stdio != nil {
		build := func(ctx context.Context, _ string, _ []string, _ []string) (*exec.Cmd, error) {
			cmd := exec.CommandContext(ctx, stdio.Path, stdio.Args[1:]...)
			cmd.Env, cmd.WaitDelay = stdio.Env, stdio.WaitDelay
			return cmd, nil
		}
		c, err = mcpgo.NewStdioMCPClientWithOptions(stdio.Path, nil, nil, mcpgotransport.WithCommandFunc(build))
	} else {
		c, err = mcpgo.NewStreamableHttpClient(url, mcpgotransport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + adminKey}))
		if err == nil {
			err = c.Start(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	init := mcpgotypes.InitializeRequest{}
	init.Params.ClientInfo = mcpgotypes.Implementation{Name: "clustergate-matrix", Version: "1"}
	res, err := c.Initialize(ctx, init)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	t.Logf("mcp-go: server %s, protocol %s", res.ServerInfo.Name, res.ProtocolVersion)
	return mcpGoSession{c: c, v: res.ProtocolVersion}, nil
}

func (s mcpGoSession) version() string { return s.v }
func (s mcpGoSession) close()          { _ = s.c.Close() }

func (s mcpGoSession) tools(ctx context.Context) ([]string, error) {
	res, err := s.c.ListTools(ctx, mcpgotypes.ListToolsRequest{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	return names, nil
}

func (s mcpGoSession) call(ctx context.Context, name string, args map[string]any) (bool, string, map[string]any, error) {
	req := mcpgotypes.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := s.c.CallTool(ctx, req)
	if err != nil {
		return false, "", nil, err
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcpgotypes.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	structured, _ := res.StructuredContent.(map[string]any)
	return res.IsError, b.String(), structured, nil
}

// TestMCPGoStaysOutOfTheBinary: mark3labs/mcp-go is required by the main
// module for this package's tests only; nothing the binary links may
// import it.
func TestMCPGoStaysOutOfTheBinary(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "./cmd/clustergate")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "github.com/modelcontextprotocol/go-sdk/mcp", "the listing is the binary's dependencies")
	assert.NotContains(t, string(out), "github.com/mark3labs/mcp-go")
}
