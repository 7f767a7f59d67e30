package tour

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/vocab"
	"github.com/clustergate/clustergate/tests/cgtest"
)

// snippet returns the code block that follows <!-- snippet:NAME --> in
// README.md.
func snippet(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)
	i := strings.Index(readme, "<!-- snippet:"+name+" -->")
	require.True(t, i >= 0, "README.md lacks snippet %s", name)
	rest := readme[i:]
	start := strings.Index(rest, "```")
	body := rest[start+3:]
	body = body[strings.Index(body, "\n")+1:]
	return body[:strings.Index(body, "```")]
}

// installPath is where `make install` puts the binary by default, read from
// the Makefile.
func installPath(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../Makefile")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^PREFIX\s*\?=\s*(\S+)`).FindStringSubmatch(string(raw))
	require.NotNil(t, m, "Makefile sets no default PREFIX")
	return m[1] + "/bin/clustergate"
}

func cleanEnv(t *testing.T, extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, extra...)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return c
}

// TestReadmeInstall runs the install snippet: `make install` (with PREFIX in
// a temporary folder instead of sudo and /usr/local), then the installed
// binary's --version.
func TestReadmeInstall(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(snippet(t, "install")), "\n")
	require.Len(t, lines, 2)
	require.True(t, strings.HasPrefix(lines[0], "sudo make install"), lines[0])
	require.True(t, strings.HasPrefix(lines[1], "clustergate --version"), lines[1])
	prefix := t.TempDir()
	out, err := exec.Command("make", "-C", "../..", "install", "PREFIX="+prefix).CombinedOutput()
	require.NoError(t, err, "make install: %s", out)
	cmd := exec.Command("bash", "-c", lines[1])
	cmd.Env = cleanEnv(t)
	cmd.Env[0] = "PATH=" + filepath.Join(prefix, "bin") + ":" + os.Getenv("PATH")
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Regexp(t, `^clustergate \S+\n$`, string(out))
	assert.Equal(t, "/usr/local/bin/clustergate", installPath(t), "the README's install line and client configs name this path")
}

// stdioConfig is the shape of Claude Desktop's and Cursor's configs.
type stdioConfig struct {
	MCPServers map[string]struct {
		Command string            `json:"command"`
		Args    []string          `json:"args"`
		Env     map[string]string `json:"env"`
	} `json:"mcpServers"`
}

// TestReadmeStdioClientConfigs runs Claude Desktop's and Cursor's configs as
// those clients do: the command (the installed path, replaced by the binary
// under test) with its args and env, over stdio, then tools/list.
func TestReadmeStdioClientConfigs(t *testing.T) {
	for _, name := range []string{"claude", "cursor"} {
		t.Run(name, func(t *testing.T) {
			var cfg stdioConfig
			require.NoError(t, json.Unmarshal([]byte(snippet(t, name)), &cfg))
			srv, ok := cfg.MCPServers["clustergate"]
			require.True(t, ok)
			assert.Equal(t, installPath(t), srv.Command, "the config runs what make install installs")
			cmd := exec.Command(cgtest.Binary(t), srv.Args...)
			cmd.Env = cleanEnv(t)
			for k, v := range srv.Env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			c := sdk.NewClient(&sdk.Implementation{Name: "readme-" + name, Version: "1"}, nil)
			s, err := c.Connect(ctx(t), &sdk.CommandTransport{Command: cmd}, nil)
			require.NoError(t, err)
			defer s.Close()
			list, err := s.ListTools(ctx(t), nil)
			require.NoError(t, err)
			require.NotEmpty(t, list.Tools)
			for _, tool := range list.Tools {
				if strings.Contains(strings.Join(srv.Args, " "), "--read-only") {
					assert.True(t, tool.Annotations.ReadOnlyHint, "--read-only serves read tools only: %s", tool.Name)
				}
			}
		})
	}
}

type headerTransport struct{ header http.Header }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h.header {
		r.Header[k] = v
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestReadmeVSCodeConfig connects as VS Code's config says: its URL (on the
// test's port) with its Authorization header, the input replaced by a key
// the server was started with.
func TestReadmeVSCodeConfig(t *testing.T) {
	var cfg struct {
		Servers map[string]struct {
			Type    string            `json:"type"`
			URL     string            `json:"url"`
			Headers map[string]string `json:"headers"`
		} `json:"servers"`
	}
	require.NoError(t, json.Unmarshal([]byte(snippet(t, "vscode")), &cfg))
	srv := cfg.Servers["clustergate"]
	require.Equal(t, "http", srv.Type)
	httpPort, mcpPort := freePort(t), freePort(t)
	const key = "vscode-test-key"
	cmd := exec.Command(cgtest.Binary(t), "serve", "--http-addr", "127.0.0.1:"+httpPort, "--mcp-addr", "127.0.0.1:"+mcpPort)
	cmd.Env = cleanEnv(t, "CLUSTERGATE_API_KEYS=viewer="+key)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitReady(t, "http://127.0.0.1:"+httpPort+"/healthz")

	header := http.Header{}
	for k, v := range srv.Headers {
		header.Set(k, strings.ReplaceAll(v, "${input:clustergate-key}", key))
	}
	url := strings.Replace(srv.URL, "localhost:9090", "127.0.0.1:"+mcpPort, 1)
	c := sdk.NewClient(&sdk.Implementation{Name: "readme-vscode", Version: "1"}, nil)
	s, err := c.Connect(ctx(t), &sdk.StreamableClientTransport{Endpoint: url,
		HTTPClient: &http.Client{Transport: headerTransport{header}}}, nil)
	require.NoError(t, err)
	defer s.Close()
	list, err := s.ListTools(ctx(t), nil)
	require.NoError(t, err)
	assert.NotEmpty(t, list.Tools)
}

// TestReadmeInspectorStdio runs the Inspector lines as written, the
// installed path replaced by the binary under test.
func TestReadmeInspectorStdio(t *testing.T) {
	needTool(t, "npx")
	for _, line := range strings.Split(strings.TrimSpace(snippet(t, "inspector-stdio")), "\n") {
		run := strings.ReplaceAll(line, installPath(t), cgtest.Binary(t))
		c := exec.CommandContext(ctx(t), "bash", "-c", run)
		c.Env = cleanEnv(t, "BROWSER=none", "npm_config_cache="+npmCache())
		out, err := c.CombinedOutput()
		require.NoError(t, err, "%s\n%s", line, out)
		if strings.Contains(line, "tools/call") {
			assert.NotContains(t, string(out), `"isError": true`, "%s\n%s", line, out)
		}
	}
}

// TestReadmeKeysFile loads the keys-file snippet: the key its comment
// hashes matches, with the role it says.
func TestReadmeKeysFile(t *testing.T) {
	body := snippet(t, "keys-file")
	m := regexp.MustCompile(`printf %s '([^']+)' \| sha256sum`).FindStringSubmatch(body)
	require.NotNil(t, m, "the snippet's comment says how its hash was made")
	path := filepath.Join(t.TempDir(), "keys.yaml")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	keys, err := auth.LoadKeysFile(path)
	require.NoError(t, err)
	k, ok := keys.Match(m[1])
	require.True(t, ok, "the documented key matches its documented hash")
	assert.Equal(t, vocab.Operator, k.Role)
	assert.Equal(t, "ci-bot", k.Name)
}

// TestReadmeConfigFileChecks writes the config-file snippet as the file the
// config-check snippet names, and runs that line.
func TestReadmeConfigFileChecks(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clustergate.yaml"), []byte(snippet(t, "config-file")), 0o600))
	line := strings.TrimSpace(snippet(t, "config-check"))
	require.True(t, strings.HasPrefix(line, "clustergate "), line)
	c := exec.Command("bash", "-c", cgtest.Binary(t)+strings.TrimPrefix(line, "clustergate"))
	c.Dir, c.Env = dir, cleanEnv(t)
	out, err := c.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "configuration ok")
	assert.Regexp(t, `max-body-bytes\s+2MiB\s+file clustergate.yaml`, string(out))
}

func needTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (CI=true)", tool)
		}
		t.Skipf("%s is missing: %v", tool, err)
	}
}

// npmCache keeps npx's cache where the tour's npx calls find it (the
// caller's), although HOME is a temporary folder.
func npmCache() string {
	if c := os.Getenv("npm_config_cache"); c != "" {
		return c
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".npm")
}
