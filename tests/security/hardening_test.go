package security

import (
	"bufio"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

func get(t *testing.T, url, key string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func TestRateLimitPerKey(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": "viewer=a,viewer=b",
		"CLUSTERGATE_RATE_LIMIT": "0.5", "CLUSTERGATE_RATE_BURST": "2"})
	for i := range 2 {
		resp, _ := get(t, gate.URL+"/v1/1-0/cluster", "a")
		assert.NotEqual(t, http.StatusTooManyRequests, resp.StatusCode, "request %d is within the burst", i+1)
	}
	resp, body := get(t, gate.URL+"/v1/1-0/cluster", "a")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"), "one token every 2 s")
	assert.Contains(t, body, "rate limit")
	resp, _ = get(t, gate.URL+"/v1/1-0/cluster", "b")
	assert.NotEqual(t, http.StatusTooManyRequests, resp.StatusCode, "another key has its own bucket")
	resp, _ = get(t, gate.URL+"/healthz", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "probes are not limited")
}

func TestBodyLimit(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_MAX_BODY_BYTES": "1024"})
	big := `{"server_name":"` + strings.Repeat("x", 2048) + `"}`
	resp, err := http.Post(gate.URL+"/v1/1-0/cluster/members", "application/json", strings.NewReader(big))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
}

func TestHashedKeysFile(t *testing.T) {
	sum := sha256.Sum256([]byte("file-secret"))
	file := filepath.Join(t.TempDir(), "keys.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf("keys:\n  - name: ci-bot\n    role: viewer\n    sha256: %s\n", hex.EncodeToString(sum[:]))), 0o600))
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS_FILE": file, "CLUSTERGATE_SANDBOX": "false"})
	resp, _ := get(t, gate.URL+"/v1/1-0/cluster", "file-secret")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "the key is accepted (no Incus here)")
	resp, body := get(t, gate.URL+"/v1/1-0/cluster/members/m1", "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, body)
	assert.Contains(t, gate.Logs(), `"identity":"key:ci-bot"`)
}

// TestGracefulShutdownOverTLS starts the real binary with TLS, sends a
// request that an upstream holds for a second, sends SIGTERM meanwhile, and
// expects the request to complete and the process to exit cleanly.
func TestGracefulShutdownOverTLS(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(time.Second)
		w.Header().Set("Content-Type", "application/json") // as the real gateway answers
		_, _ = w.Write([]byte(`{"result":{}}`))
	}))
	defer slow.Close()
	certPEM, keyPEM := cgtest.SelfSigned(t, "127.0.0.1")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tls.crt"), []byte(certPEM), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tls.key"), []byte(keyPEM), 0o600))
	cmd := exec.Command(cgtest.Binary(t), "serve", "--http-addr", "127.0.0.1:0", "--mcp-addr", "127.0.0.1:0",
		"--tls-cert", filepath.Join(dir, "tls.crt"), "--tls-key", filepath.Join(dir, "tls.key"), "--portworx-endpoint", slow.URL)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	addr := listenAddr(t, stderr)
	go func() { exited <- cmd.Wait() }()

	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM([]byte(certPEM)))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	result := make(chan int, 1)
	go func() {
		resp, err := client.Get("https://" + addr + "/v1/v1/clusterpairs")
		if err != nil {
			result <- -1
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case status := <-result:
		assert.Equal(t, http.StatusOK, status, "the request in flight completed")
	case <-time.After(10 * time.Second):
		t.Fatal("the request in flight did not complete")
	}
	select {
	case err := <-exited:
		assert.NoError(t, err, "clean exit after draining")
	case <-time.After(10 * time.Second):
		t.Fatal("clustergate did not exit after SIGTERM")
	}
}

// listenAddr reads the start-up log line for the REST listener's address,
// then keeps draining stderr so the process never blocks on it.
func listenAddr(t *testing.T, stderr io.Reader) string {
	t.Helper()
	lines := bufio.NewScanner(stderr)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && lines.Scan() {
		var entry struct {
			Msg  string `json:"msg"`
			HTTP string `json:"http"`
		}
		if json.Unmarshal(lines.Bytes(), &entry) == nil && entry.Msg == "clustergate listening" {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return entry.HTTP
		}
	}
	t.Fatal("clustergate never logged its listening address")
	return ""
}
