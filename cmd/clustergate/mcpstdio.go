package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/mcp"
)

// stdioReleaseAfter is how long after start the stdio server returns its
// start-up garbage to the OS.
const stdioReleaseAfter = time.Second

// mcpStdio serves MCP on stdin/stdout for a local client. Logs go to stderr:
// stdout belongs to the protocol.
func mcpStdio(cfg *config.Config) error {
	resume := pauseGC()
	st, err := buildStack(cfg, newLogger(cfg, os.Stderr))
	// Collection resumes at once, in the background, while the client's
	// first requests are answered: forcing it here would delay them.
	resume()
	if err != nil {
		return usageError{err}
	}
	// A client sends initialize and tools/list as soon as it has started
	// the process; once they are answered, the start-up garbage goes back to
	// the OS as serve's does, instead of staying with a session that may
	// idle for hours (measured: 4 MB of anonymous memory).
	defer time.AfterFunc(stdioReleaseAfter, releaseStartupGarbage).Stop()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return mcp.ServeStdio(ctx, st.Tools, st.Caller, st.MCPOptions(version, progressEvery))
}
