package tour

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// TestReadmeRealUpstreams runs the "Real upstreams" snippet against a real
// LXD: its socket in place of the default path, `make run` replaced by the
// binary on free ports, a kubeconfig at the path it names (clustergate
// refuses to start on a missing one). The Portworx endpoint is never
// contacted by this read.
func TestReadmeRealUpstreams(t *testing.T) {
	needTool(t, "curl")
	d := lxdtest.Start(t)
	body := strings.ReplaceAll(snippet(t, "real-upstreams"), "\\\n", " ")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	require.Len(t, lines, 2)
	require.True(t, strings.HasSuffix(lines[0], " make run"), lines[0])

	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".kube"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".kube", "management.yaml"), []byte("apiVersion: v1\nkind: Config\n"+
		"current-context: m\nclusters: [{name: m, cluster: {server: 'https://127.0.0.1:9'}}]\n"+
		"contexts: [{name: m, context: {cluster: m, user: u}}]\nusers: [{name: u, user: {}}]\n"), 0o600))
	httpPort, mcpPort := freePort(t), freePort(t)
	start := strings.NewReplacer("/var/lib/incus/unix.socket", d.Socket,
		" make run", " exec "+cgtest.Binary(t)+" serve --http-addr 127.0.0.1:"+httpPort+" --mcp-addr 127.0.0.1:"+mcpPort).Replace(lines[0])
	srv := exec.Command("bash", "-c", start)
	srv.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "PX_JWT=a-made-up-jwt"}
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	waitReady(t, "http://127.0.0.1:"+httpPort+"/healthz")

	c := exec.Command("bash", "-c", strings.ReplaceAll(lines[1], "localhost:8080", "127.0.0.1:"+httpPort))
	out, err := c.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), `"server_name":"`+d.Name+`"`, "the members of the real LXD: %s", out)
}
