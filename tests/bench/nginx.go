package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/bench/benchkit"
)

// NginxBin finds Debian's nginx-light (tests/scripts/install-nginx.sh, run
// by `make test-deps`), or skips; with CI=true a missing nginx fails.
func NginxBin(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("NGINX_BIN"), "/usr/sbin/nginx"} {
		if st, err := os.Stat(p); p != "" && err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	msg := "no nginx: install it with `bash tests/scripts/install-nginx.sh` (or `make test-deps`), or set NGINX_BIN"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// Nginx is nginx as a plain reverse proxy to an upstream's unix socket: the
// floor any HTTP front is measured against. One process (master_process
// off, so the process that serves is the one whose CPU is read), keep-alive
// to the upstream, no access log, the facade paths mapped onto the
// upstream's own.
type Nginx struct {
	PID      int
	Endpoint *benchkit.Endpoint
}

// StartNginx starts it for the test on a free loopback port and stops it
// (SIGQUIT, then SIGKILL, by PID) at cleanup.
func StartNginx(tb testing.TB, socket string) *Nginx {
	tb.Helper()
	bin := NginxBin(tb)
	dir := tb.TempDir()
	addr := freeLoopback(tb)
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the upstream socket (Incus's) may be root-only
	}
	conf := fmt.Sprintf(`%s
daemon off;
master_process off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  upstream up {
    server unix:%[3]s;
    keepalive 32;
  }
  server {
    listen %[4]s;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location = /v1/1-0/cluster/members-recursion-1 { proxy_pass http://up/1.0/cluster/members?recursion=1; }
    location /v1/1-0/ { proxy_pass http://up/1.0/; }
  }
}
`, user, dir, socket, addr)
	cfg := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		tb.Fatal(err)
	}
	args := []string{"-p", dir, "-c", cfg, "-e", filepath.Join(dir, "error.log")}
	if out, err := exec.Command(bin, append(args, "-t")...).CombinedOutput(); err != nil {
		tb.Fatalf("nginx -t: %v: %s", err, out)
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	waitTCP(tb, addr)
	return &Nginx{PID: cmd.Process.Pid,
		Endpoint: &benchkit.Endpoint{Name: "nginx", Base: "http://" + addr, Client: benchkit.TCPClient(), Facade: true}}
}

func freeLoopback(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitTCP(tb testing.TB, addr string) {
	tb.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	tb.Fatalf("nginx does not listen on %s after 10 s", addr)
}
