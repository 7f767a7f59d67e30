package mcpclients

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/specgen"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// Exit codes of the Inspector CLI (EXIT_CODES in its source; the same
// numbers its smoke-testing guide documents).
const (
	exitOK        = 0
	exitAuth      = 3 // auth_required: 401/403, or OAuth would be needed
	exitToolError = 5 // tool_is_error: the call returned isError: true
)

// listOutput and callOutput are the Inspector's `--format json` stdout.
type listOutput struct {
	Result struct {
		Tools []struct {
			Name        string         `json:"name"`
			InputSchema map[string]any `json:"inputSchema"`
		} `json:"tools"`
	} `json:"result"`
}

type callOutput struct {
	Result struct {
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
		StructuredContent map[string]any `json:"structuredContent"`
		IsError           bool           `json:"isError"`
	} `json:"result"`
}

func (c callOutput) text() string {
	var b strings.Builder
	for _, p := range c.Result.Content {
		b.WriteString(p.Text)
	}
	return b.String()
}

// inspector runs the Inspector CLI installed in dir: `mcp-inspector --cli`.
func inspector(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	bin := filepath.Join(dir, "node_modules", ".bin", "mcp-inspector")
	return node(t, dir, env, append([]string{bin, "--cli"}, args...)...)
}

func decode[T any](t *testing.T, res result) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &v), "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	return v
}

// servedTools are the tool names clustergate derives for g's configuration.
func servedTools(g *cgtest.Gate) map[string]bool {
	names := map[string]bool{}
	for _, tool := range g.Stack.Tools {
		names[tool.Name] = true
	}
	return names
}

// checkToolList asserts that a client's tools/list shows exactly the
// tools clustergate serves, that every tool of each served capability
// document is among them, and that every input schema is an object.
func checkToolList(t *testing.T, out listOutput, served map[string]bool) {
	t.Helper()
	listed := map[string]bool{}
	for _, tool := range out.Result.Tools {
		listed[tool.Name] = true
		assert.Equal(t, "object", tool.InputSchema["type"], "%s: inputSchema.type", tool.Name)
	}
	assert.Equal(t, sortedKeys(served), sortedKeys(listed), "the client lists what clustergate derives")

	files, err := filepath.Glob("../../openapi/capabilities/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		c, err := specgen.LoadCapability(f)
		require.NoError(t, err)
		var names []string
		n := 0
		for _, tool := range c.ToolsByCall() {
			names = append(names, tool.Name)
			if served[tool.Name] {
				n++
			}
		}
		// A capability whose surface is not wired into clustergate yet
		// (one being landed) serves none of its tools: say so, do not fail.
		if n == 0 {
			t.Logf("%s: none of its %d tools is served yet; not checked", filepath.Base(f), len(names))
			continue
		}
		for _, name := range names {
			assert.Contains(t, listed, name, "%s declares tool %s", filepath.Base(f), name)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestInspectorHTTP drives /mcp with the Inspector CLI over streamable
// HTTP, with the bearer key as a header, against a real LXD.
func TestInspectorHTTP(t *testing.T) {
	dir := clients(t)
	s := startStack(t)
	env := clientEnv(t)
	member := s.lxd.Name
	// --stored-auth-only: on a 401 the CLI would otherwise try interactive
	// OAuth (RFC 9728 metadata); in CI it must just fail with exit 3.
	cli := func(header string, args ...string) result {
		base := []string{"--server-url", s.gate.MCPURL, "--transport", "http", "--format", "json", "--stored-auth-only"}
		if header != "" {
			base = append(base, "--header", header)
		}
		return inspector(t, dir, env, append(base, args...)...)
	}
	bearer := "Authorization: Bearer " + adminKey

	t.Run("tools/list --strict", func(t *testing.T) {
		res := cli(bearer, "--method", "tools/list", "--strict")
		// --strict exits 6 on an error-severity portability problem;
		// warnings only go to stderr.
		require.Equal(t, exitOK, res.code, "stderr:\n%s", res.stderr)
		if strings.TrimSpace(res.stderr) != "" {
			t.Logf("Inspector --strict report:\n%s", res.stderr)
		}
		checkToolList(t, decode[listOutput](t, res), servedTools(s.gate))
	})

	t.Run("read tool", func(t *testing.T) {
		res := cli(bearer, "--method", "tools/call", "--tool-name", "get-cluster-member", "--tool-arg", "name="+member)
		require.Equal(t, exitOK, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
		out := decode[callOutput](t, res)
		assert.False(t, out.Result.IsError)
		assert.Equal(t, member, out.Result.StructuredContent["server_name"])
		var copied map[string]any
		require.NoError(t, json.Unmarshal([]byte(out.text()), &copied), "the text is a JSON copy")
		assert.Equal(t, member, copied["server_name"])
	})

	t.Run("write tool with a JSON object argument", func(t *testing.T) {
		// --tool-arg JSON-parses each value, so an object goes as
		// key={...}; a value that is not JSON stays a string.
		res := cli(bearer, "--method", "tools/call", "--tool-name", "partially-update-cluster-member",
			"--tool-arg", "name="+member, `body={"description":"set by the MCP Inspector"}`)
		require.Equal(t, exitOK, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
		got, _, err := s.lxd.Client().GetClusterMember(member)
		require.NoError(t, err)
		assert.Equal(t, "set by the MCP Inspector", got.Description, "the call reached LXD")
	})

	t.Run("upstream error is isError", func(t *testing.T) {
		res := cli(bearer, "--method", "tools/call", "--tool-name", "get-cluster-member", "--tool-arg", "name=nobody")
		require.Equal(t, exitToolError, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
		out := decode[callOutput](t, res)
		assert.True(t, out.Result.IsError)
		assert.Contains(t, out.text(), "HTTP 404 from incus")
		assert.Contains(t, res.stderr, `"code":"tool_is_error"`)
	})

	t.Run("no key", func(t *testing.T) {
		res := cli("", "--method", "tools/list")
		assert.Equal(t, exitAuth, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
		assert.Contains(t, res.stderr, `"code":"auth_required"`)
		assert.Contains(t, res.stderr, "missing API key: send Authorization: Bearer", "the real client shows our JSON 401 message")
	})

	t.Run("wrong key", func(t *testing.T) {
		res := cli("Authorization: Bearer not-a-key", "--method", "tools/list")
		assert.Equal(t, exitAuth, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
		assert.Contains(t, res.stderr, `"code":"auth_required"`)
		assert.Contains(t, res.stderr, "unknown API key")
	})
}

// TestInspectorStdio has the Inspector spawn the real binary as
// `clustergate mcp`, as a desktop client would.
func TestInspectorStdio(t *testing.T) {
	dir := clients(t)
	bin := cgtest.Binary(t)
	d := lxdtest.Start(t)
	env := clientEnv(t)
	// The Inspector gives a stdio server only a default environment (PATH,
	// HOME, ...), not its own: INCUS_SOCKET must be passed with -e.
	cli := func(args ...string) result {
		base := []string{"--format", "json", "-e", "INCUS_SOCKET=" + d.Socket}
		return inspector(t, dir, env, append(append(base, args...), "--", bin, "mcp")...)
	}
	// The reference list: the same configuration, derived in process.
	served := servedTools(cgtest.Start(t, map[string]string{"INCUS_SOCKET": d.Socket}))

	res := cli("--method", "tools/list")
	require.Equal(t, exitOK, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	checkToolList(t, decode[listOutput](t, res), served)

	res = cli("--method", "tools/call", "--tool-name", "get-cluster-configuration")
	require.Equal(t, exitOK, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	out := decode[callOutput](t, res)
	assert.False(t, out.Result.IsError)
	assert.Equal(t, d.Name, out.Result.StructuredContent["server_name"])
}
