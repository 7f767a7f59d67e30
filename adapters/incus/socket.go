package incus

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// socketTransport carries HTTP/1.1 requests to the daemon's unix socket on
// the calling goroutine: it writes the request and reads the answer on a
// kept connection itself. net/http's Transport runs a read loop and a write
// loop goroutine per connection and hands every request and answer between
// them and the caller over channels, three goroutine wake-ups per call; on a
// local socket whose daemon answers in tens of microseconds those hand-offs
// were the largest part of an upstream call (see docs/BENCHMARKS.md). The
// HTTP itself is still net/http's: Request.Write and ReadResponse.
//
// A connection goes back to the idle list only when its answer was read to
// the end and neither side asked to close it; a request that fails on a
// reused connection before any answer arrived (the daemon closed it while it
// was idle, or restarted) is sent once more on a new connection when it is
// safe to repeat (no body, or a body it can get again, and a method that
// changes nothing).
type socketTransport struct {
	socket string
	dialer net.Dialer
	// fallback is the net/http transport the Incus client built, kept for
	// the client's own uses of the underlying transport (websockets, which
	// clustergate does not open).
	fallback *http.Transport

	mu   sync.Mutex
	idle []*socketConn // most recently used last
}

// socketConn is one kept connection with its buffers.
type socketConn struct {
	net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	used time.Time
}

// idleFor is how long an idle connection is kept; older ones are closed
// rather than reused.
const idleFor = 60 * time.Second

func newSocketTransport(socket string, fallback *http.Transport) *socketTransport {
	return &socketTransport{socket: socket, fallback: fallback}
}

// Transport returns the net/http transport the client was built with (the
// Incus client's HTTPTransporter contract).
func (t *socketTransport) Transport() *http.Transport { return t.fallback }

// RoundTrip sends req on a kept connection (or a new one) and returns the
// answer; its body returns the connection when read to the end and closed.
func (t *socketTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	send := req
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, reused, err := t.conn(ctx, replayable(req))
		if err != nil {
			return nil, err
		}
		resp, answered, err := t.exchange(ctx, c, send)
		if err == nil {
			return resp, nil
		}
		_ = c.Close()
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if !reused || answered || attempt > 0 || !replayable(req) {
			return nil, err
		}
		// Once more on a new connection, with a fresh copy of the body (a
		// RoundTripper must not change the caller's request).
		send = req.Clone(ctx)
		if req.Body != nil && req.Body != http.NoBody {
			if send.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
	}
}

// exchange writes req on c and reads the answer's head. answered says
// whether any of the answer arrived (then the request must not be repeated).
func (t *socketTransport) exchange(ctx context.Context, c *socketConn, req *http.Request) (*http.Response, bool, error) {
	if err := c.SetDeadline(time.Time{}); err != nil {
		return nil, false, err
	}
	// The context ends a read or write, as net/http's transport does: when
	// it is done (deadline or cancel), the connection's deadline is moved
	// to the past, so the call fails only once ctx.Err() says why. (A
	// connection deadline equal to the context's could fire first, and a
	// caller checking ctx.Err() would see a failure with no reason yet.)
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	if err := req.Write(c.w); err != nil {
		stop()
		return nil, false, fmt.Errorf("write to %s: %w", t.socket, err)
	}
	if err := c.w.Flush(); err != nil {
		stop()
		return nil, false, fmt.Errorf("write to %s: %w", t.socket, err)
	}
	if _, err := c.r.Peek(1); err != nil {
		stop()
		return nil, false, fmt.Errorf("read from %s: %w", t.socket, err)
	}
	resp, err := http.ReadResponse(c.r, req)
	if err != nil {
		stop()
		return nil, true, fmt.Errorf("read from %s: %w", t.socket, err)
	}
	keep := !resp.Close && !req.Close && (resp.ContentLength >= 0 || len(resp.TransferEncoding) > 0)
	resp.Body = &socketBody{body: resp.Body, conn: c, t: t, stop: stop, keep: keep, ctx: ctx}
	return resp, true, nil
}

// replayable mirrors net/http's rule for sending a request again on a new
// connection: a method that changes nothing, and a body it can get again.
func replayable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	}
	return false
}

// conn takes the most recently used idle connection or dials a new one. A
// request that cannot be sent twice (a write) only gets an idle connection
// the daemon has not closed: net/http's read loop notices such a close
// while the connection idles, this transport looks when it takes one.
func (t *socketTransport) conn(ctx context.Context, replayable bool) (*socketConn, bool, error) {
	now := time.Now()
	for {
		t.mu.Lock()
		n := len(t.idle)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		c := t.idle[n-1]
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		if now.Sub(c.used) < idleFor && (replayable || open(c)) {
			return c, true, nil
		}
		_ = c.Close()
	}
	nc, err := t.dialer.DialContext(ctx, "unix", t.socket)
	if err != nil {
		return nil, false, err
	}
	return &socketConn{Conn: nc, r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}, false, nil
}

// open reports whether the daemon has not closed c: an idle connection has
// nothing to read, so a peek that finds end of file (or data) means it is
// unusable. One non-blocking recv, no goroutine.
func open(c *socketConn) bool {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		// EAGAIN: nothing to read and not closed. End of file, data or any
		// other error: not a connection to send a write on.
		_, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		alive = errors.Is(rerr, syscall.EAGAIN)
		return true // never wait for the poller
	})
	return err == nil && alive
}

// put keeps c for the next request, or closes it when enough are kept.
func (t *socketTransport) put(c *socketConn) {
	c.used = time.Now()
	t.mu.Lock()
	if len(t.idle) < idleConns {
		t.idle = append(t.idle, c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// CloseIdleConnections closes the kept connections (http.Client calls it).
func (t *socketTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
}

// socketBody is an answer's body; it gives its connection back when read
// to the end and closed, and closes it otherwise.
type socketBody struct {
	ctx  context.Context
	body io.ReadCloser
	conn *socketConn
	t    *socketTransport
	stop func() bool
	keep bool
	eof  bool
	done bool
}

func (b *socketBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
	} else if cerr := b.ctx.Err(); err != nil && cerr != nil {
		// The context's end cut the read: say so, as net/http's transport
		// does (callers test errors.Is(err, context.DeadlineExceeded)).
		err = cerr
	}
	return n, err
}

func (b *socketBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	keep := b.keep
	if keep && !b.eof {
		// The Incus client decodes an answer and closes it without reading
		// the end; a small rest is read so that the connection is kept.
		_, _ = io.Copy(io.Discard, io.LimitReader(b, drainMax))
	}
	if !keep || !b.eof {
		b.stop()
		_ = b.conn.Close()
		_ = b.body.Close()
		return nil
	}
	err := b.body.Close()
	// stop() is false when the cancellation already poisoned the deadline.
	if b.stop() && err == nil && b.conn.r.Buffered() == 0 {
		b.t.put(b.conn)
		return nil
	}
	_ = b.conn.Close()
	return err
}

// drainMax is how much of an unread rest is read to keep a connection.
const drainMax = 64 << 10
