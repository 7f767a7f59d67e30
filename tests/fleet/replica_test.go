package fleet

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// adminKey is the API key every replica accepts (role admin).
const adminKey = "fleet-admin-key-0123456789"

// replica is one clustergate process.
type replica struct {
	cmd       *exec.Cmd
	HTTP, MCP string // listening addresses, host:port
	logs      *syncBuffer
	exited    chan struct{}
	err       error // Wait's result, once exited is closed
	stopAsked time.Time
}

// startReplica runs the built binary on free loopback ports with an API
// key, no rate limit (a load test is not a 429 test) and the extra flags,
// and waits for its listening line. The test's end kills it if still running.
func startReplica(t *testing.T, extra ...string) *replica {
	t.Helper()
	args := append([]string{"serve", "--http-addr", "127.0.0.1:0", "--mcp-addr", "127.0.0.1:0",
		"--api-keys", "admin=" + adminKey, "--rate-limit", "0"}, extra...)
	cmd := exec.Command(cgtest.Binary(t), args...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	r := &replica{cmd: cmd, logs: &syncBuffer{}, exited: make(chan struct{})}
	addrs := make(chan [2]string, 1)
	go r.readLogs(stderr, addrs)
	go func() { r.err = cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			_ = cmd.Process.Kill()
			<-r.exited
		}
	})
	select {
	case a := <-addrs:
		r.HTTP, r.MCP = a[0], a[1]
	case <-r.exited:
		t.Fatalf("clustergate exited before listening (%v):\n%s", r.err, r.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("clustergate did not log its listening addresses within 30 s:\n%s", r.logs)
	}
	return r
}

// readLogs keeps every log line and reports the listening addresses.
func (r *replica) readLogs(stderr io.Reader, addrs chan<- [2]string) {
	lines := bufio.NewScanner(stderr)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		r.logs.Write(append(lines.Bytes(), '\n'))
		var e struct{ Msg, HTTP, MCP string }
		if json.Unmarshal(lines.Bytes(), &e) == nil && e.Msg == "clustergate listening" {
			addrs <- [2]string{e.HTTP, e.MCP}
		}
	}
}

// terminate sends SIGTERM by PID, as a kubelet does.
func (r *replica) terminate(t *testing.T) {
	t.Helper()
	r.stopAsked = time.Now()
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGTERM))
}

// waitExit waits for the process to end and returns its error (nil: exit 0).
func (r *replica) waitExit(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case <-r.exited:
		return r.err
	case <-time.After(within):
		t.Fatalf("clustergate did not exit within %s of SIGTERM:\n%s", within, r.logs)
		return nil
	}
}

// logLine returns the first log entry whose message starts with prefix.
func (r *replica) logLine(prefix string) (map[string]any, bool) {
	for _, line := range strings.Split(r.logs.String(), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) == nil {
			if msg, _ := e["msg"].(string); strings.HasPrefix(msg, prefix) {
				return e, true
			}
		}
	}
	return nil, false
}

// fresh is a client that opens a new connection for every request: a
// request it sends reaches the listener now, not a connection kept from
// before, and nothing is retried behind the test's back.
var fresh = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// status GETs url with the admin key; -1 when the connection fails.
func status(url string) (int, string) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return -1, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := fresh.Do(req)
	if err != nil {
		return -1, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// refused reports whether err is a refused connection.
func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// syncBuffer collects log lines written from one goroutine and read from others.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
