package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// The root's --version is clustergate's own flag rather than cobra's
// (Command.Version): cobra prints "<name> version <v>" unless given a
// template, and a template links text/template's executor, whose
// reflect.Value.MethodByName makes the linker keep every exported method of
// every type that reaches an interface, mostly the k8s.io/api groups'
// generated code: 11 MB of the binary and about 4 MB of idle RSS
// (issue 13). The flag, its help line and its completion behaviour are
// cobra's, and the output is the version command's.

// printVersion writes what `clustergate version` and `--version` print.
func printVersion(w io.Writer) error {
	_, err := fmt.Fprintln(w, "clustergate", version)
	return err
}

// addVersionFlag gives root the -v/--version flag cobra would add.
func addVersionFlag(root *cobra.Command) {
	root.Flags().BoolP("version", "v", false, "version for "+root.DisplayName())
	_ = root.Flags().SetAnnotation("version", cobra.FlagSetByCobraAnnotation, []string{"true"})
}

// versionRequested tells whether --version was given, in which case the
// root prints the version whatever the arguments, as cobra's flag does.
func versionRequested(cmd *cobra.Command) bool {
	v, err := cmd.Flags().GetBool("version")
	return err == nil && v
}

// orVersion lets --version through check, as cobra answers --version
// before validating arguments.
func orVersion(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if versionRequested(cmd) {
			return nil
		}
		return check(cmd, args)
	}
}
