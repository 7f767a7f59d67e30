package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
)

const (
	// drainTimeout bounds how long shutdown waits for requests in flight.
	drainTimeout = 30 * time.Second
	// progressEvery is how often a long tool call reports progress.
	progressEvery = time.Second
)

// serve builds the stack from a configuration already checked (TLS files
// included), then listens.
func serve(cfg *config.Config) error {
	st, err := buildStack(cfg, newLogger(cfg, os.Stderr))
	if err != nil {
		return usageError{err}
	}
	servers := []*named{{name: "http", addr: st.Config.HTTPAddr, srv: httpServer(st, st.Echo)}}
	if st.Config.MCPAddr != "" {
		servers = append(servers, &named{name: "mcp", addr: st.Config.MCPAddr, srv: httpServer(st, st.MCPMux(version, progressEvery))})
	}
	for _, s := range servers {
		if s.ln, err = net.Listen("tcp", s.addr); err != nil {
			return fmt.Errorf("listen %s on %s: %w", s.name, s.addr, err)
		}
	}
	attrs := []any{"version", version, "api_keys", len(st.Keys), "tools", len(st.Tools),
		"read_only", st.Config.ReadOnly, "disable_destructive", st.Config.DisableDestructive}
	for _, s := range servers {
		attrs = append(attrs, s.name, s.ln.Addr().String())
	}
	st.Log.Info("clustergate listening", attrs...)
	st.Audit.ReopenOnHangup(context.Background(), st.Log) // lives as long as the process
	return runUntilSignal(servers, st.Log, st.Config.TLSCert, st.Config.TLSKey)
}

// named is one listener and its server.
type named struct {
	name, addr string
	srv        *http.Server
	ln         net.Listener
}

func httpServer(st *app.Stack, h http.Handler) *http.Server {
	t := st.Config.RequestTimeout + 10*time.Second
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ReadTimeout: t, WriteTimeout: t}
}

// runUntilSignal serves until SIGTERM or SIGINT, then drains requests in
// flight on every listener before returning.
func runUntilSignal(servers []*named, log *slog.Logger, tlsCert, tlsKey string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- fmt.Errorf("%s: %w", s.name, serveOne(s, tlsCert, tlsKey)) }()
	}
	var served error
	select {
	case served = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight", "timeout", drainTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("shutdown %s: %w", s.name, err)
		}
	}
	return served
}

// serveOne serves one listener, over TLS when a certificate is configured.
func serveOne(s *named, cert, key string) error {
	if cert != "" {
		return s.srv.ServeTLS(s.ln, cert, key)
	}
	return s.srv.Serve(s.ln)
}
