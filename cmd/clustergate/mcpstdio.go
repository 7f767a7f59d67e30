package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/mcp"
)

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
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return mcp.ServeStdio(ctx, st.Tools, st.Caller, st.MCPOptions(version, progressEvery))
}
