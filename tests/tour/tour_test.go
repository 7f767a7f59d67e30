// Package tour runs README.md's five-minute tour as written: every command
// between the tour markers, against the real binary serving the sandbox.
// Only the ports change (the test picks free ones), and the binary is started
// by the test instead of `make run` in another terminal.
package tour

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

func tourCommands(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)
	start, end := strings.Index(readme, "<!-- tour:begin -->"), strings.Index(readme, "<!-- tour:end -->")
	require.True(t, start >= 0 && end > start, "README.md lacks the tour markers")
	var cmds []string
	for _, line := range strings.Split(readme[start:end], "\n") {
		if strings.HasPrefix(line, "curl ") || strings.HasPrefix(line, "npx ") {
			cmds = append(cmds, line)
		}
	}
	require.NotEmpty(t, cmds)
	return cmds
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func TestReadmeTourRunsAsWritten(t *testing.T) {
	for _, tool := range []string{"curl", "npx"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing (CI=true): the tour needs it", tool)
			}
			t.Skipf("%s is missing: %v", tool, err)
		}
	}
	httpPort, mcpPort := freePort(t), freePort(t)
	srv := exec.Command(cgtest.Binary(t), "serve", "--http-addr", "127.0.0.1:"+httpPort, "--mcp-addr", "127.0.0.1:"+mcpPort)
	srv.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()} // nothing configured: the sandbox
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	waitReady(t, "http://127.0.0.1:"+httpPort+"/healthz")

	for _, cmd := range tourCommands(t) {
		run := strings.NewReplacer("localhost:8080", "127.0.0.1:"+httpPort, "localhost:9090", "127.0.0.1:"+mcpPort).Replace(cmd)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		c := exec.CommandContext(ctx, "bash", "-c", run)
		c.Env = append(os.Environ(), "BROWSER=none")
		out, err := c.CombinedOutput()
		cancel()
		require.NoError(t, err, "tour command failed: %s\n%s", cmd, out) // curl -f fails on any 4xx/5xx
		if strings.Contains(cmd, "-X POST localhost:8080/v1/v1/clusterpairs") {
			require.Contains(t, string(out), `"remote_cluster_name":"cluster-b"`, "the documented peer address and token pair the sandbox")
		}
		if strings.Contains(cmd, "tools/list") {
			require.Contains(t, string(out), "get-cluster-member", cmd)
		}
		if strings.Contains(cmd, "--tool-name get-cluster-member") {
			require.Contains(t, string(out), "rack 2", "the MCP read sees the REST write: %s", out)
		}
	}
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	for range 100 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("clustergate did not answer %s", url)
}
