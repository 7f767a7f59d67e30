package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/server"
)

// drainTimeout bounds how long shutdown waits for requests in flight.
const drainTimeout = 30 * time.Second

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg, err := config.Load(fs, args, os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	keys, err := auth.ParseKeys(cfg.APIKeys)
	if err != nil {
		return err
	}
	surfaces, err := app.Surfaces(cfg)
	if err != nil {
		return err
	}
	e, err := server.New(server.Options{Keys: keys, RequestTimeout: cfg.RequestTimeout, Log: log}, surfaces)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ReadTimeout: cfg.RequestTimeout + 10*time.Second, WriteTimeout: cfg.RequestTimeout + 10*time.Second}
	log.Info("clustergate listening", "http", ln.Addr().String(), "version", version,
		"api_keys", len(keys), "incus", incusWhere(cfg))
	return runUntilSignal(srv, ln, log)
}

// runUntilSignal serves until SIGTERM or SIGINT, then drains requests in
// flight before returning.
func runUntilSignal(srv *http.Server, ln net.Listener, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight", "timeout", drainTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func newLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func incusWhere(cfg *config.Config) string {
	if cfg.IncusURL != "" {
		return cfg.IncusURL
	}
	return "unix:" + cfg.IncusSocket
}
