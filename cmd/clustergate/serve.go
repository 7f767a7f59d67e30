package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/server"
)

// progressEvery is how often a long tool call reports progress.
const progressEvery = time.Second

// serve builds the stack from a configuration already checked (TLS files
// included), then listens.
func serve(cfg *config.Config) error {
	st, err := buildStack(cfg, newLogger(cfg, os.Stderr))
	if err != nil {
		return usageError{err}
	}
	if st.Config.ShutdownDelay < 0 || st.Config.ShutdownTimeout < 0 {
		return fmt.Errorf("shutdown-delay and shutdown-timeout must be 0 or more")
	}
	streams := newStreamCutter()
	servers := []*named{{name: "http", addr: st.Config.HTTPAddr, srv: httpServer(st, closeWhileDraining(st.Drain, st.Echo))}}
	if st.Config.MCPAddr != "" {
		servers = append(servers, &named{name: "mcp", addr: st.Config.MCPAddr,
			srv: httpServer(st, closeWhileDraining(st.Drain, streams.wrap(st.MCPMux(version, progressEvery))))})
	}
	profiles, stopPprof, err := startPprof(st.Config.PprofAddr, st.Log)
	if err != nil {
		return fmt.Errorf("listen pprof on %s: %w", st.Config.PprofAddr, err)
	}
	defer stopPprof()
	for _, s := range servers {
		if s.ln, err = net.Listen("tcp", s.addr); err != nil {
			return fmt.Errorf("listen %s on %s: %w", s.name, s.addr, err)
		}
	}
	releaseStartupGarbage() // everything is built: idle, the process holds its live data only
	attrs := []any{"version", version, "api_keys", len(st.Keys), "tools", len(st.Tools),
		"read_only", st.Config.ReadOnly, "disable_destructive", st.Config.DisableDestructive}
	for _, s := range servers {
		attrs = append(attrs, s.name, s.ln.Addr().String())
	}
	if profiles != "" {
		attrs = append(attrs, "pprof", profiles)
	}
	st.Log.Info("clustergate listening", attrs...)
	st.Audit.ReopenOnHangup(context.Background(), st.Log) // lives as long as the process
	return runUntilSignal(servers, stopping{drain: st.Drain, streams: streams, log: st.Log,
		delay: st.Config.ShutdownDelay, timeout: st.Config.ShutdownTimeout}, st.Config.TLSCert, st.Config.TLSKey)
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

// stopping is what the graceful stop needs.
type stopping struct {
	drain          *server.Drain
	streams        *streamCutter
	log            *slog.Logger
	delay, timeout time.Duration
}

// runUntilSignal serves until SIGTERM or SIGINT, then stops in logged steps,
// so that a replica leaves a fleet without refusing a request:
//  1. drain: /readyz answers 503 while both listeners keep serving, for
//     the delay (the time balancers and Kubernetes endpoints take to stop
//     sending here); a second signal cuts it short;
//  2. stop: the listeners close; requests in flight and MCP streams get the
//     timeout to finish (standalone MCP GET streams, which carry no
//     request, are ended so their clients reconnect elsewhere);
//  3. connections still open after the timeout are cut.
//
// A stop asked for by a signal returns nil (exit 0); a listener that fails
// returns its error after the others are stopped.
func runUntilSignal(servers []*named, stop stopping, tlsCert, tlsKey string) error {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sig)
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- fmt.Errorf("%s: %w", s.name, serveOne(s, tlsCert, tlsKey)) }()
	}
	var served error
	select {
	case served = <-errc:
		stop.log.Error("shutdown: a listener failed; stopping the others", "err", served)
	case got := <-sig:
		stop.drain.Start()
		stop.log.Info("shutdown 1/3: draining: /readyz answers 503, both listeners keep serving",
			"signal", got.String(), "delay", stop.delay.String())
		select {
		case <-time.After(stop.delay):
		case again := <-sig:
			stop.log.Info("shutdown: second signal: delay cut short", "signal", again.String())
		case served = <-errc:
			stop.log.Error("shutdown: a listener failed while draining", "err", served)
		}
	}
	stop.log.Info("shutdown 2/3: listeners closed; waiting for requests in flight and MCP streams",
		"timeout", stop.timeout.String())
	cut := shutdownAll(servers, stop)
	stop.log.Info("shutdown 3/3: stopped", "connections_cut", cut)
	return served
}

// shutdownAll stops every server at once within the timeout, then closes
// the connections still open; it returns how many servers had some.
func shutdownAll(servers []*named, stop stopping) (cut int) {
	stop.streams.cut()
	ctx, cancel := context.WithTimeout(context.Background(), stop.timeout)
	defer cancel()
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() { errs[i] = s.srv.Shutdown(ctx) })
	}
	wg.Wait()
	for i, s := range servers {
		if errs[i] == nil {
			continue
		}
		cut++
		stop.log.Warn("shutdown: timeout reached with connections still open; cutting them",
			"listener", s.name, "timeout", stop.timeout.String(), "err", errs[i].Error())
		_ = s.srv.Close()
	}
	return cut
}

// closeWhileDraining answers with "Connection: close" once draining: a
// client holding a keep-alive connection (through an L4 balancer such as
// kube-proxy, which never moves an open connection) reconnects, and so
// reaches another replica, while this one still serves. Idle connections
// are left alone until the listeners close: closing them now could race
// a request being sent on one.
func closeWhileDraining(drain *server.Drain, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if drain.Draining() {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// streamCutter ends MCP's standalone GET streams (server-to-client
// notifications, open as long as the client likes) when the listeners
// close: they hold no request in flight, and http.Server.Shutdown would
// otherwise wait for them until the timeout. POST requests, tool calls
// streamed over SSE included, are left to finish.
type streamCutter struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newStreamCutter() *streamCutter {
	ctx, cancel := context.WithCancel(context.Background())
	return &streamCutter{ctx: ctx, cancel: cancel}
}

func (s *streamCutter) cut() { s.cancel() }

func (s *streamCutter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			defer context.AfterFunc(s.ctx, cancel)()
			r = r.WithContext(ctx)
		}
		h.ServeHTTP(w, r)
	})
}

// serveOne serves one listener, over TLS when a certificate is configured.
func serveOne(s *named, cert, key string) error {
	if cert != "" {
		return s.srv.ServeTLS(s.ln, cert, key)
	}
	return s.srv.Serve(server.JSONProtocolErrors(s.ln))
}
