// Command clustergate serves one typed, secured front over Incus, OpenStorage
// cluster pairs and the Kubernetes Cluster API, as REST under /v1 and as MCP
// tools.
//
//	clustergate serve [flags]        run the REST server and MCP over HTTP
//	clustergate mcp [flags]          serve MCP over stdio
//	clustergate routes|tools         print the route or tool table
//	clustergate config check         check a config file and the environment
//	clustergate completion SHELL     print a shell completion script
//	clustergate version, --version   print the version
//
// The command line is built with github.com/spf13/cobra v1.10.2 and its
// github.com/spf13/pflag v1.0.10 (pinned exactly in go.mod): the Go
// infrastructure convention (kubectl, helm, incus), which gives typed GNU
// flags (--read-only alone is true), help on stdout with examples, and shell
// completion scripts without code of our own. The settings themselves are
// defined once, in internal/config.
//
// Exit codes: 0 success, 1 a failure while running, 2 a usage or
// configuration error (reported before anything listens).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes.
const (
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run executes one command line and returns the process's exit code.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	root := newRoot(getenv, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	code := exitFailure
	var ue usageError
	if errors.As(err, &ue) {
		code = exitUsage
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintln(stderr, "clustergate:", line)
	}
	return code
}

// usageError is a bad command line or configuration: exit code 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func newRoot(getenv func(string) string, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "clustergate",
		Short: "One typed, secured REST and MCP front over Incus, OpenStorage cluster pairs and Cluster API",
		Long: `clustergate serves the Incus cluster API, OpenStorage (Portworx) cluster pairs
and the Kubernetes Cluster API as REST routes under /v1 and as MCP tools.
Every surface whose upstream is not configured is served from an in-memory
sandbox, and says so. Settings come from defaults, then the YAML file named by
--config, then the environment, then flags.`,
		Example: `  clustergate serve                      # sandbox for every surface: REST :8080, MCP :9090
  clustergate serve --read-only --incus-socket /var/lib/incus/unix.socket
  clustergate config check --config /etc/clustergate.yaml
  source <(clustergate completion bash)`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          orVersion(wrapArgs(cobra.NoArgs)),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if versionRequested(cmd) {
				return printVersion(cmd.OutOrStdout())
			}
			return cmd.Help()
		},
	}
	addVersionFlag(root)
	// Before the completion command exists: it keeps the writer it is given.
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath())}
	})
	root.AddCommand(serveCmd(getenv), mcpCmd(getenv), tableCmd("routes", getenv), tableCmd("tools", getenv),
		versionCmd(), configCmd(getenv))
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "completion":
			c.Example = "  source <(clustergate completion bash)\n  clustergate completion zsh > \"${fpath[1]}/_clustergate\"\n  clustergate completion fish > ~/.config/fish/completions/clustergate.fish"
			for _, sh := range c.Commands() {
				sh.Example = "  clustergate completion " + sh.Name() + " > clustergate." + sh.Name()
			}
		case "help":
			c.Example = "  clustergate help serve\n  clustergate help config check"
		}
	}
	return root
}

// wrapArgs makes an argument-count error a usage error.
func wrapArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	if check == nil {
		check = cobra.NoArgs
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
