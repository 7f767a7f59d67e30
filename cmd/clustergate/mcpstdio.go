package main

import (
	"context"
	"errors"
	"os/signal"
	"syscall"

	"github.com/clustergate/clustergate/mcp"
)

// mcpStdio serves MCP on stdin/stdout for a local client. Logs go to stderr:
// stdout belongs to the protocol.
func mcpStdio(args []string) error {
	st, err := buildStack("mcp", args)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return mcp.ServeStdio(ctx, st.Tools, st.Caller, st.MCPOptions(version, progressEvery))
}
