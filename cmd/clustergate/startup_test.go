package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestStartupErrorsBeforeListening runs the real binary with one bad
// setting at a time: it exits with the expected code, its message names the
// setting, it never logs that it listens, and nothing answers on its ports.
func TestStartupErrorsBeforeListening(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := cgtest.SelfSigned(t, "127.0.0.1")
	otherCert, _ := cgtest.SelfSigned(t, "127.0.0.1")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	cert, key, wrongCert := write("tls.crt", certPEM), write("tls.key", keyPEM), write("other.crt", otherCert)
	unknownKey := write("unknown.yaml", "http_addr: :1\n")
	badKeys := write("keys.yaml", "- name: ci\n  role: viewer\n  sha256: not-hex\n")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	cases := []struct {
		name string
		args []string
		env  []string
		code int
		want string
	}{
		{"missing tls cert", []string{"--tls-cert", "/nonexistent/tls.crt", "--tls-key", key}, nil, 2, "--tls-cert: cannot read /nonexistent/tls.crt"},
		{"unreadable tls key", []string{"--tls-cert", cert, "--tls-key", dir}, nil, 2, "--tls-key: " + dir + " is a directory"},
		{"tls cert alone", []string{"--tls-cert", cert}, nil, 2, "tls-cert and tls-key go together"},
		{"tls pair mismatch", []string{"--tls-cert", wrongCert, "--tls-key", key}, nil, 2, "tls-cert: with tls-key: not a usable certificate and key"},
		{"bad keys file", []string{"--api-keys-file", badKeys}, nil, 2, "api-keys-file (--api-keys-file): api keys file " + badKeys + ": key 1: sha256 must be 64 hex digits"},
		{"bad api keys", nil, []string{"CLUSTERGATE_API_KEYS=root=x"}, 2, `api-keys (CLUSTERGATE_API_KEYS): api key 1: unknown role "root"`},
		{"unknown config key", []string{"--config", unknownKey}, nil, 2, `config file ` + unknownKey + `: http_addr: unknown key "http_addr" (did you mean "http-addr"?)`},
		{"bad incus url", []string{"--incus-url", "incus.example:8443"}, nil, 2, `--incus-url: "incus.example:8443" is not an http:// or https:// address`},
		{"bad portworx endpoint", nil, []string{"PORTWORX_ENDPOINT=ftp://px"}, 2, `PORTWORX_ENDPOINT (portworx-endpoint): "ftp://px" is not an http:// or https:// address`},
		{"missing kubeconfig", nil, []string{"KUBECONFIG=/nonexistent/kubeconfig"}, 2, "KUBECONFIG (kubeconfig): cannot read /nonexistent/kubeconfig"},
		{"bad duration", []string{"--request-timeout", "soon"}, nil, 2, `invalid argument "soon" for "--request-timeout" flag`},
		{"zero timeout", []string{"--request-timeout", "0s"}, nil, 2, "--request-timeout: must be positive"},
		{"bad listen address", []string{"--mcp-addr", "9090"}, nil, 2, `--mcp-addr: "9090" is not a listen address`},
		{"port in use", []string{"--mcp-addr", busy.Addr().String()}, nil, 1, "listen mcp on " + busy.Addr().String()},
		{"pprof on every interface", []string{"--pprof-addr", "0.0.0.0:6060"}, nil, 2, `--pprof-addr: "0.0.0.0:6060" is not a loopback address`},
		{"pprof port in use", []string{"--pprof-addr", busy.Addr().String()}, nil, 1, "listen pprof on " + busy.Addr().String()},
	}
	bin := cgtest.Binary(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			httpAddr := freeAddr(t)
			args := append([]string{"serve", "--http-addr", httpAddr}, c.args...)
			if !contains(c.args, "--mcp-addr") {
				args = append(args, "--mcp-addr", freeAddr(t))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, c.env...)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stderr, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "serve did not fail: %v\n%s", err, stderr.String())
			assert.Equal(t, c.code, exit.ExitCode(), stderr.String())
			assert.Contains(t, stderr.String(), c.want)
			assert.NotContains(t, stderr.String(), "listening")
			conn, err := net.DialTimeout("tcp", httpAddr, time.Second)
			if err == nil {
				conn.Close()
			}
			assert.Error(t, err, fmt.Sprintf("something answers on %s", httpAddr))
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestStdioBuildFailureEndsTheSession: `clustergate mcp` answers its first
// requests while it builds the stack; a build that fails (here the audit log
// cannot be opened) must end the session with exit code 2 and the setting's
// error, not leave a client with tools it can never call.
func TestStdioBuildFailureEndsTheSession(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cgtest.Binary(t), "mcp")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"CLUSTERGATE_AUDIT_LOG=" + filepath.Join(t.TempDir(), "missing", "audit.log")}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close() // kept open: the client is still there when the build fails
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	_, err = stdin.Write([]byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",` +
		`"capabilities":{},"clientInfo":{"name":"t","version":"1"}}}` + "\n"))
	require.NoError(t, err)
	err = cmd.Wait()
	require.NoError(t, ctx.Err(), "the session went on after the build failed:\n%s", stderr.String())
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "mcp did not fail: %v\n%s", err, stderr.String())
	assert.Equal(t, 2, exit.ExitCode(), stderr.String())
	assert.Contains(t, stderr.String(), "audit-log (CLUSTERGATE_AUDIT_LOG): open audit log")
}
