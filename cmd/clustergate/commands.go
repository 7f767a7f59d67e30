package main

import (
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/clustergate/clustergate/internal/config"
)

// settingsCmd is a command that takes every setting as a flag. run gets
// the loaded configuration; a bad setting is a usage error (exit 2) before
// run is called.
func settingsCmd(cmd *cobra.Command, getenv func(string) string, run func(cmd *cobra.Command, cfg *config.Config) error) *cobra.Command {
	flags := config.Bind(cmd.Flags())
	cmd.Flags().SortFlags = false
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		cfg, err := flags.Load(getenv)
		if err != nil {
			return usageError{err}
		}
		return run(cmd, cfg)
	}
	return cmd
}

func serveCmd(getenv func(string) string) *cobra.Command {
	return settingsCmd(&cobra.Command{
		Use:   "serve",
		Short: "Run the REST server and the MCP streamable-HTTP endpoint",
		Long: `serve runs the REST routes (--http-addr) and MCP over streamable HTTP at /mcp
(--mcp-addr) until SIGTERM or SIGINT, then drains requests in flight. Every
setting is checked before anything listens.`,
		Example: `  clustergate serve
  clustergate serve --read-only --http-addr 127.0.0.1:8080 --mcp-addr ""
  CLUSTERGATE_API_KEYS=admin=s3cret clustergate serve --incus-socket /var/lib/incus/unix.socket
  clustergate serve --config /etc/clustergate.yaml --sandbox=false`,
	}, getenv, func(_ *cobra.Command, cfg *config.Config) error { return serve(cfg) })
}

func mcpCmd(getenv func(string) string) *cobra.Command {
	return settingsCmd(&cobra.Command{
		Use:   "mcp",
		Short: "Serve MCP over stdio, for a local client (Claude Desktop, VS Code, Cursor)",
		Long: `mcp serves the MCP tools on stdin/stdout. Logs go to stderr: stdout belongs
to the protocol. It takes the same settings as serve.`,
		Example: `  clustergate mcp
  npx @modelcontextprotocol/inspector@2.12.0 --cli clustergate mcp --method tools/list`,
	}, getenv, func(_ *cobra.Command, cfg *config.Config) error { return mcpStdio(cfg) })
}

// tableCmd prints the routes or the tools table, and only that, on stdout.
func tableCmd(which string, getenv func(string) string) *cobra.Command {
	cmd := &cobra.Command{Use: which}
	switch which {
	case "routes":
		cmd.Short = "Print every REST route with its MCP tool, role and hints (Markdown)"
		cmd.Example = "  clustergate routes\n  clustergate routes | grep destructive"
	default:
		cmd.Short = "Print the MCP tools this configuration serves (Markdown)"
		cmd.Example = "  clustergate tools\n  clustergate tools --read-only"
	}
	return settingsCmd(cmd, getenv, func(cmd *cobra.Command, cfg *config.Config) error {
		st, err := buildStack(cfg, quietLogger(cfg, cmd.ErrOrStderr()))
		if err != nil {
			return err
		}
		if which == "routes" {
			_, err = io.WriteString(cmd.OutOrStdout(), st.RoutesTable())
			return err
		}
		_, err = io.WriteString(cmd.OutOrStdout(), st.ToolsTable())
		return err
	})
}

// quietLogger logs errors only unless --log-level was given: a table
// command's output is the table.
func quietLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	if !cfg.IsSet("log-level") {
		cfg.LogLevel = "error"
	}
	return newLogger(cfg, w)
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  clustergate version\n  clustergate --version",
		RunE:    func(cmd *cobra.Command, _ []string) error { return printVersion(cmd.OutOrStdout()) },
	}
}
