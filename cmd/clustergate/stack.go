package main

import (
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
)

// buildStack assembles the stack from a loaded configuration; nothing
// listens yet and no upstream is contacted.
func buildStack(cfg *config.Config, log *slog.Logger) (*app.Stack, error) {
	slog.SetDefault(log) // libraries that log through slog's default write the same format
	return app.Build(cfg, log, version)
}

// buildStackBeside is buildStack on one CPU at a time, for a stack built
// while the process serves (see app.BuildBeside).
func buildStackBeside(cfg *config.Config, log *slog.Logger) (*app.Stack, error) {
	slog.SetDefault(log)
	return app.BuildBeside(cfg, log, version)
}

// releaseStartupGarbage collects now and returns the start-up garbage to
// the OS. Building the stack and the MCP handler parses specs and derives
// and re-encodes schemas: garbage that would otherwise sit in an idle
// server until its first collection (measured: 13 MB less resident memory
// at idle with the sandboxes when this was added).
func releaseStartupGarbage() { debug.FreeOSMemory() } // it collects first

// pauseGC holds garbage collection back while the stdio server builds what
// it serves, and returns what resumes it: building allocates some 20 MB of
// short-lived data over a live heap of a few MB, which the default pacing
// collects five or six times over on the way to the first answer (measured:
// a third less CPU from start to the first tools/list). The extra heap is
// bounded by that one-off build (the embedded specs, not any input) and a
// memory limit (GOMEMLIMIT) still applies meanwhile; resume restores the
// pacing as it was (an operator's GOGC included). Not for serve: live data
// allocated among that much garbage is spread over more pages, which an
// idle server would keep (measured: 3 MB more anonymous memory at idle).
func pauseGC() (resume func()) {
	prev := debug.SetGCPercent(-1)
	return func() { debug.SetGCPercent(prev) }
}

// newLogger writes the configured format and level to w (stderr: stdout
// belongs to tables and to the stdio MCP protocol).
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // the config checked it
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
