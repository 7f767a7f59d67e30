// Package cgtest starts clustergate in process for end-to-end tests: the
// same wiring as `clustergate serve` (app.Surfaces and server.New), served
// over real HTTP on a free loopback port and shut down when the test ends.
package cgtest

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/server"
)

// Gate is a running clustergate.
type Gate struct {
	URL    string // REST: http://127.0.0.1:PORT
	MCPURL string // MCP streamable HTTP: http://127.0.0.1:PORT/mcp
	Stack  *app.Stack
	logs   *syncBuffer
}

// Logs returns everything clustergate logged so far.
func (g *Gate) Logs() string { return g.logs.String() }

// Start runs clustergate, REST and MCP over HTTP, with default settings
// changed by env (the same variables the binary reads, e.g. INCUS_SOCKET);
// nothing else is read from the process environment.
func Start(t testing.TB, env map[string]string) *Gate {
	t.Helper()
	cfg, err := config.Load(flag.NewFlagSet("cgtest", flag.ContinueOnError), nil, func(k string) string { return env[k] })
	require.NoError(t, err)
	logs := &syncBuffer{}
	var level slog.Level
	require.NoError(t, level.UnmarshalText([]byte(cfg.LogLevel)))
	st, err := app.Build(cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level})), "test")
	require.NoError(t, err)
	g := &Gate{logs: logs, Stack: st}
	g.URL = listen(t, st.Echo)
	g.MCPURL = listen(t, st.MCPMux("test", 100*time.Millisecond)) + "/mcp"
	return g
}

// listen serves h on a free loopback port until the test ends.
func listen(t testing.TB, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	serveUntilCleanup(t, "clustergate", srv, func() error { return srv.Serve(server.JSONProtocolErrors(ln)) }) // as `clustergate serve` does
	return "http://" + ln.Addr().String()
}

// serveUntilCleanup runs serve in the background and, when the test ends,
// shuts srv down and reports a serve error other than the shutdown's.
func serveUntilCleanup(t testing.TB, what string, srv *http.Server, serve func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("%s stopped with %v", what, err)
		}
	})
}

// Bearer returns a request editor that sends an API key.
func Bearer(key string) func(ctx context.Context, req *http.Request) error {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+key)
		return nil
	}
}

// syncBuffer is a log sink that handlers write from many goroutines.
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

var _ io.Writer = (*syncBuffer)(nil)
