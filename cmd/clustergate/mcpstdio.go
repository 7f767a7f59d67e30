package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/clustergate/clustergate/generated/mcptools"
	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/mcp"
)

// stdioReleaseAfter is how long after start the stdio server returns its
// start-up garbage to the OS.
const stdioReleaseAfter = time.Second

// mcpStdio serves MCP on stdin/stdout for a local client. Logs go to stderr:
// stdout belongs to the protocol.
//
// A desktop client starts the process and lists its tools at once. Most of
// start-up is parsing the embedded specs, so the stack is built in the
// background while the first tools/list is answered from the listing
// `make generate` derived from the same specs (generated/mcptools); a tool
// call waits for the build. A build that fails ends the session with its
// error (exit code 2), as it does before serving when the listing cannot be
// used: a stdio key scoped to some upstreams (the list depends on the
// upstreams the build names) or keys that do not load.
func mcpStdio(cfg *config.Config) error {
	log := newLogger(cfg, os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// A client sends initialize and tools/list as soon as it has started
	// the process; once they are answered, the start-up garbage goes back to
	// the OS as serve's does, instead of staying with a session that may
	// idle for hours (measured: 4 MB of anonymous memory).
	defer time.AfterFunc(stdioReleaseAfter, releaseStartupGarbage).Stop()
	listed, err := mcptools.Listed()
	if err != nil {
		log.Warn("the generated tool listing cannot be used: building the tools before serving", "error", err)
		return mcpStdioBuilt(ctx, cfg, log)
	}
	keys, err := app.LoadKeys(cfg)
	if err != nil {
		return mcpStdioBuilt(ctx, cfg, log) // it reports the keys' error as serve does
	}
	if key, ok := keys.Match(cfg.MCPKey); ok && len(key.Identity().Upstreams) > 0 {
		return mcpStdioBuilt(ctx, cfg, log)
	}
	p := buildInBackground(cfg, log)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		if _, err := p.wait(ctx); err != nil {
			cancel(err) // ends the session: its tools cannot be called
		}
	}()
	opts := app.MCPOptions(cfg, keys, log, version, progressEvery)
	served := mcp.ServeStdioPending(ctx, app.Allowed(cfg, listed), p.wait, opts)
	if p.done() && p.err != nil {
		return usageError{p.err}
	}
	return served
}

// mcpStdioBuilt builds the stack, then serves.
func mcpStdioBuilt(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	resume := pauseGC()
	st, err := buildStack(cfg, log)
	// Collection resumes at once, in the background, while the client's
	// first requests are answered: forcing it here would delay them.
	resume()
	if err != nil {
		return usageError{err}
	}
	return mcp.ServeStdio(ctx, st.Tools, st.Caller, st.MCPOptions(version, progressEvery))
}

// pendingStack is a stack being built in the background.
type pendingStack struct {
	finished chan struct{}
	built    mcp.Built
	err      error
}

func buildInBackground(cfg *config.Config, log *slog.Logger) *pendingStack {
	p := &pendingStack{finished: make(chan struct{})}
	go func() {
		defer close(p.finished)
		defer spareProc()()
		resume := pauseGC()
		defer resume()
		st, err := buildStackBeside(cfg, log)
		if err != nil {
			p.err = err
			return
		}
		p.built = mcp.Built{Tools: st.Tools, Caller: st.Caller}
	}()
	return p
}

// spareProc gives the background build a processor (P) of its own until the
// returned func runs: GOMAXPROCS one above its setting. With every P
// taken, the goroutines answering the client queued behind the build until
// the scheduler preempted it, 10 ms at a time (measured side by side: first
// tools/list 62 → 46 ms median, as fast as with no build running). The
// setting goes back as it was: the runtime's default (which follows the
// CPU quota) unless GOMAXPROCS was set in the environment.
func spareProc() (restore func()) {
	prev := runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	return func() {
		if os.Getenv("GOMAXPROCS") != "" {
			runtime.GOMAXPROCS(prev)
			return
		}
		runtime.SetDefaultGOMAXPROCS()
	}
}

// wait returns the built stack once it is, or why it is not.
func (p *pendingStack) wait(ctx context.Context) (mcp.Built, error) {
	select {
	case <-p.finished:
		return p.built, p.err
	case <-ctx.Done():
		return mcp.Built{}, context.Cause(ctx)
	}
}

func (p *pendingStack) done() bool {
	select {
	case <-p.finished:
		return true
	default:
		return false
	}
}
