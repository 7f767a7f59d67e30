// Command clustergate serves one typed, secured front over Incus, OpenStorage
// cluster pairs and the Kubernetes Cluster API, as REST under /v1 (and as MCP
// tools).
//
//	clustergate serve [flags]   run the REST server and MCP over HTTP
//	clustergate mcp [flags]     serve MCP over stdio
//	clustergate routes|tools    print the route or tool table
//	clustergate version         print the version
package main

import (
	"errors"
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "clustergate:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		usage()
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(args[1:])
	case "mcp":
		return mcpStdio(args[1:])
	case "routes", "tools":
		return table(args[0], args[1:])
	case "version":
		fmt.Println("clustergate", version)
		return nil
	case "help", "-h", "--help":
		usage()
		return nil
	}
	usage()
	return fmt.Errorf("unknown command %q", args[0])
}

func usage() {
	fmt.Fprint(os.Stderr, `Usage: clustergate <command> [flags]

Commands:
  serve     run the REST server and the MCP HTTP endpoint (serve --help for flags)
  mcp       serve MCP on stdin/stdout for a local client (same flags)
  routes    print the REST routes with their tools, roles and hints
  tools     print the MCP tools this configuration serves (same flags)
  version   print the version
`)
}

// table prints the routes or tools table of the configuration given.
func table(which string, args []string) error {
	st, err := buildStack(which, args)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if which == "routes" {
		fmt.Print(st.RoutesTable())
		return nil
	}
	fmt.Print(st.ToolsTable())
	return nil
}
