package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// TestPprofOnItsOwnLoopbackListener runs the real binary with
// --pprof-addr: the profiles answer there, and only there (the REST
// listener does not serve them).
func TestPprofOnItsOwnLoopbackListener(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cgtest.Binary(t), "serve", "--http-addr", "127.0.0.1:0", "--mcp-addr", "",
		"--pprof-addr", "127.0.0.1:0", "--sandbox=false")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	var started struct{ Msg, HTTP, Pprof string }
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if json.Unmarshal(lines.Bytes(), &started) == nil && started.Msg == "clustergate listening" {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	require.NotEmpty(t, started.Pprof, "the start-up line names the pprof address")
	assert.True(t, strings.HasPrefix(started.Pprof, "127.0.0.1:"), started.Pprof)

	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := get("http://" + started.Pprof + "/debug/pprof/heap?debug=1")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "heap profile:")
	status, body = get("http://" + started.Pprof + "/debug/pprof/goroutine?debug=1")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "goroutine profile:")
	status, _ = get("http://" + started.HTTP + "/debug/pprof/heap?debug=1")
	assert.Equal(t, http.StatusNotFound, status, "the REST listener does not serve profiles")
}
