package fleet

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// nginxBin finds Debian's nginx (tests/scripts/install-nginx.sh, run by
// `make test-deps`), or skips the test; with CI=true a missing nginx fails it.
func nginxBin(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("NGINX_BIN"), "/usr/sbin/nginx"} {
		if p != "" {
			if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
				return p
			}
		}
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	msg := "no nginx: install it with `bash tests/scripts/install-nginx.sh` (or `make test-deps`), or set NGINX_BIN"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (set CI=true to make this fatal)")
	return ""
}

// balancer is a private nginx in front of the replicas: its own prefix,
// config and loopback ports, reloaded with SIGHUP and stopped by PID.
// Retries to the next upstream are OFF: a replica that refuses or resets a
// connection costs the client a 502, as behind kube-proxy.
type balancer struct {
	bin, dir  string
	REST, MCP string // listening addresses
	cmd       *exec.Cmd
	exited    chan struct{}
	reloads   int
}

// startNginx runs nginx with every replica in its upstreams.
func startNginx(t *testing.T, replicas []*replica) *balancer {
	t.Helper()
	b := &balancer{bin: nginxBin(t), dir: t.TempDir(), REST: freeAddr(t), MCP: freeAddr(t), exited: make(chan struct{})}
	for _, d := range []string{"logs", "tmp"} {
		require.NoError(t, os.MkdirAll(filepath.Join(b.dir, d), 0o755))
	}
	b.write(t, replicas)
	out, err := exec.Command(b.bin, b.args("-t")...).CombinedOutput()
	require.NoError(t, err, "nginx -t: %s", out)
	b.cmd = exec.Command(b.bin, b.args()...)
	b.cmd.Stdout, b.cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, b.cmd.Start())
	go func() { _ = b.cmd.Wait(); close(b.exited) }()
	t.Cleanup(func() {
		_ = b.cmd.Process.Signal(syscall.SIGQUIT) // graceful stop, by PID
		select {
		case <-b.exited:
		case <-time.After(10 * time.Second):
			_ = b.cmd.Process.Kill()
			<-b.exited
		}
	})
	waitListening(t, b.REST)
	waitListening(t, b.MCP)
	return b
}

func (b *balancer) args(extra ...string) []string {
	return append([]string{"-p", b.dir, "-c", filepath.Join(b.dir, "nginx.conf"), "-e", filepath.Join(b.dir, "logs", "error.log")}, extra...)
}

// setUpstreams rewrites the upstreams to exactly these replicas and reloads
// nginx (SIGHUP to the master, by PID), as an ingress controller does when
// endpoints change.
func (b *balancer) setUpstreams(t *testing.T, replicas []*replica) {
	t.Helper()
	require.NotEmpty(t, replicas, "a balancer needs at least one replica")
	b.write(t, replicas)
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGHUP))
	b.reloads++
}

// accessLog returns nginx's access log: "msec upstream_addr status uri" lines.
func (b *balancer) accessLog(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(b.dir, "logs", "access.log"))
	require.NoError(t, err)
	return string(raw)
}

func (b *balancer) write(t *testing.T, replicas []*replica) {
	t.Helper()
	var rest, mcp strings.Builder
	for _, r := range replicas {
		fmt.Fprintf(&rest, "    server %s;\n", r.HTTP)
		fmt.Fprintf(&mcp, "    server %s;\n", r.MCP)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers may then use the test's private folders
	}
	tmp := filepath.Join(b.dir, "tmp")
	conf := fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %s;
events { worker_connections 1024; }
http {
  log_format fleet '$msec $upstream_addr $status $request_uri';
  access_log %s fleet;
  client_body_temp_path %s/body;
  proxy_temp_path %s/proxy;
  fastcgi_temp_path %s/fastcgi;
  uwsgi_temp_path %s/uwsgi;
  scgi_temp_path %s/scgi;
  # Never retry another replica: a failure reaches the client.
  proxy_next_upstream off;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  # The client's Host: MCP's DNS-rebinding guard refuses others on loopback.
  proxy_set_header Host $http_host;
  proxy_buffering off;
  upstream rest {
%s    keepalive 16;
  }
  upstream mcp {
%s    keepalive 16;
  }
  server {
    listen %s;
    location / {
      proxy_pass http://rest;
      add_header X-Upstream $upstream_addr always;
    }
  }
  server {
    listen %s;
    location / {
      proxy_pass http://mcp;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`, user, filepath.Join(b.dir, "nginx.pid"), filepath.Join(b.dir, "logs", "access.log"),
		tmp, tmp, tmp, tmp, tmp, rest.String(), mcp.String(), b.REST, b.MCP)
	require.NoError(t, os.WriteFile(filepath.Join(b.dir, "nginx.conf"), []byte(conf), 0o644))
}

// freeAddr is a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after 10 s", addr)
}
