package main

import (
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
)

func configCmd(getenv func(string) string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check clustergate's configuration",
		Example: `  clustergate config check --config /etc/clustergate.yaml
  CLUSTERGATE_CONFIG=/etc/clustergate.yaml clustergate config check`,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(checkCmd(getenv))
	return cmd
}

// checkCmd runs every check serve runs before listening (settings, files,
// keys, upstream settings) and says what the configuration amounts to; it
// contacts no upstream. New sections of the config file are checked here as
// soon as the loader knows them.
func checkCmd(getenv func(string) string) *cobra.Command {
	return settingsCmd(&cobra.Command{
		Use:   "check",
		Short: "Validate a config file plus the environment (and flags) without serving",
		Long: `check loads the configuration exactly as serve would (defaults, the --config
file, the environment, flags) and runs every check serve runs before it
listens. It prints each setting given and where it came from, and which
surfaces would be served by an upstream or by the sandbox. It exits 2 and
names each bad setting when there is one. No upstream is contacted.`,
		Example: `  clustergate config check --config /etc/clustergate.yaml
  INCUS_URL=https://incus.example:8443 clustergate config check --sandbox=false`,
	}, getenv, func(cmd *cobra.Command, cfg *config.Config) error {
		st, err := buildStack(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return usageError{err}
		}
		return report(cmd.OutOrStdout(), cfg, st)
	})
}

func report(out io.Writer, cfg *config.Config, st *app.Stack) error {
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "configuration ok")
	fmt.Fprintln(w, "\nsetting\tvalue\tfrom")
	given := cfg.Given()
	if len(given) == 0 {
		fmt.Fprintln(w, "(none: every setting at its default)\t\t")
	}
	for _, v := range given {
		fmt.Fprintf(w, "%s\t%s\t%s\n", v.Flag, v.Value, v.Source)
	}
	fmt.Fprintln(w, "\nsurface\tserved by\tnote")
	for _, s := range st.Surfaces {
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.Name, s.Backend, s.Note)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return reportUpstreams(out, st)
}

// reportUpstreams lists every named upstream (?upstream=<name>), the
// default of each surface first.
func reportUpstreams(out io.Writer, st *app.Stack) error {
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "\nsurface\tupstream\tserved by\tnote")
	for _, s := range st.Surfaces {
		for i, u := range s.Upstreams {
			name := u.Name
			if i == 0 {
				name += " (default)"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Name, name, u.Backend, u.Note)
		}
	}
	return w.Flush()
}
