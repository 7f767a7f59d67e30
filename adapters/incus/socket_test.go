package incus

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests cover what a real daemon does not do on demand: close a kept
// connection while it idles, hang mid-answer, answer without a length. The
// real Incus and LXD suites (tests/e2e, tests/contract) run every call
// through this transport too.

// rawServer answers every request on a unix socket with body, then keeps
// the connection (perConn 0) or closes it after perConn answers without
// saying so, as a daemon that drops idle connections does.
type rawServer struct {
	socket   string
	conns    atomic.Int64
	requests atomic.Int64
	methods  sync.Map // method -> *atomic.Int64
}

func startRaw(t *testing.T, perConn int, answer func(w *bufio.Writer, req *http.Request)) *rawServer {
	t.Helper()
	s := &rawServer{socket: filepath.Join(t.TempDir(), "d.socket")}
	ln, err := net.Listen("unix", s.socket)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range open {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Go(func() { s.serve(c, perConn, answer) })
		}
	})
	return s
}

func (s *rawServer) serve(c net.Conn, perConn int, answer func(*bufio.Writer, *http.Request)) {
	defer func() { _ = c.Close() }()
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	for n := 0; perConn == 0 || n < perConn; n++ {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		s.requests.Add(1)
		v, _ := s.methods.LoadOrStore(req.Method, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
		answer(w, req)
		if w.Flush() != nil {
			return
		}
	}
}

func (s *rawServer) count(method string) int64 {
	v, ok := s.methods.Load(method)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

func okAnswer(w *bufio.Writer, req *http.Request) {
	body := fmt.Sprintf(`{"type":"sync","metadata":{"path":%q}}`, req.URL.Path)
	fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

func call(t *testing.T, tr http.RoundTripper, method, path string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(`{"description":"x"}`)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://unix.socket"+path, body)
	require.NoError(t, err)
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func TestSocketTransportKeepsOneConnection(t *testing.T) {
	s := startRaw(t, 0, okAnswer)
	tr := newSocketTransport(s.socket, nil)
	for i := range 50 {
		body, err := call(t, tr, http.MethodGet, fmt.Sprintf("/1.0/x%d", i))
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf(`{"type":"sync","metadata":{"path":"/1.0/x%d"}}`, i), body)
	}
	assert.Equal(t, int64(1), s.conns.Load(), "50 calls one after another use one connection")
}

func TestSocketTransportConcurrentCallersGetTheirOwnAnswers(t *testing.T) {
	s := startRaw(t, 0, okAnswer)
	tr := newSocketTransport(s.socket, nil)
	var wrong, failed atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 40 {
				path := fmt.Sprintf("/1.0/g%d/%d", g, i)
				body, err := call(t, tr, http.MethodGet, path)
				switch {
				case err != nil:
					failed.Add(1)
				case !strings.Contains(body, `"`+path+`"`):
					wrong.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failed.Load(), "failed calls")
	assert.Zero(t, wrong.Load(), "answers that went to another caller")
	assert.Equal(t, int64(640), s.requests.Load())
	assert.LessOrEqual(t, s.conns.Load(), int64(16+idleConns), "connections are kept, not dialled per call")
}

// A daemon that closed a kept connection while it idled (as a restarted
// daemon has): a read is sent again on a new connection; a write is never
// sent on the closed one, so it is not lost and not sent twice.
func TestSocketTransportDaemonClosedIdleConnection(t *testing.T) {
	s := startRaw(t, 1, okAnswer)
	tr := newSocketTransport(s.socket, nil)
	for i := range 5 {
		_, err := call(t, tr, http.MethodGet, "/1.0/cluster")
		require.NoError(t, err, "read %d", i)
		time.Sleep(20 * time.Millisecond) // the daemon's close has arrived
		_, err = call(t, tr, http.MethodPatch, "/1.0/cluster/members/m1")
		require.NoError(t, err, "write %d", i)
		time.Sleep(20 * time.Millisecond)
	}
	assert.Equal(t, int64(5), s.count(http.MethodPatch), "every write reached the daemon exactly once")
	assert.Equal(t, int64(5), s.count(http.MethodGet))
}

// An answer that stops mid-body: the caller's deadline ends the read, and
// the connection is not kept (the next call dials).
func TestSocketTransportHungAnswerEndsAtTheDeadline(t *testing.T) {
	hang := make(chan struct{})
	s := startRaw(t, 0, func(w *bufio.Writer, req *http.Request) {
		if req.URL.Path == "/1.0/hang" {
			fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"type\":")
			_ = w.Flush()
			<-hang
			return
		}
		okAnswer(w, req)
	})
	t.Cleanup(func() { close(hang) }) // before the server's cleanup waits for it
	tr := newSocketTransport(s.socket, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://unix.socket/1.0/hang", nil)
	require.NoError(t, err)
	start := time.Now()
	res, err := tr.RoundTrip(req)
	require.NoError(t, err, "the head arrived")
	_, err = io.ReadAll(res.Body)
	require.Error(t, err, "the body never ends")
	_ = res.Body.Close()
	assert.Less(t, time.Since(start), 2*time.Second, "bounded by the caller's deadline")
	_, err = call(t, tr, http.MethodGet, "/1.0/after")
	require.NoError(t, err)
	assert.Equal(t, int64(2), s.conns.Load(), "the hung connection was not reused")
}

// A cancelled caller unblocks at once, even without a deadline.
func TestSocketTransportCancelUnblocks(t *testing.T) {
	hang := make(chan struct{})
	s := startRaw(t, 0, func(*bufio.Writer, *http.Request) { <-hang })
	t.Cleanup(func() { close(hang) }) // before the server's cleanup waits for it
	tr := newSocketTransport(s.socket, nil)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://unix.socket/1.0", nil)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := tr.RoundTrip(req)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(2 * time.Second):
		t.Fatal("a cancelled call is still waiting")
	}
}

// An answer without a length ends with the connection: it is read in full
// and the connection is not kept.
func TestSocketTransportAnswerWithoutLength(t *testing.T) {
	s := startRaw(t, 1, func(w *bufio.Writer, _ *http.Request) {
		fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"type\":\"sync\"}")
	})
	tr := newSocketTransport(s.socket, nil)
	for range 3 {
		body, err := call(t, tr, http.MethodGet, "/1.0")
		require.NoError(t, err)
		assert.Equal(t, `{"type":"sync"}`, body)
	}
	assert.Equal(t, int64(3), s.conns.Load())
}
