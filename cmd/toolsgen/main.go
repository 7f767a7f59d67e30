// Command toolsgen writes generated/mcptools/tools.json: the listing of
// every MCP tool (name, title, description, hints, input and output
// schemas, surface and safety class), derived from the embedded facade
// specs exactly as clustergate derives its tools at start-up.
//
//	go run ./cmd/toolsgen [-out generated/mcptools/tools.json]
//
// `make generate` runs it after regenerating the spec packages it reads.
// The stdio MCP server answers its first tools/list from this file while it
// is still parsing the specs (most of its start-up); a test in
// generated/mcptools fails when the file and the derivation disagree.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/mcp"
)

func main() {
	out := flag.String("out", "generated/mcptools/tools.json", "where the listing goes")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "toolsgen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	tools, err := app.AllTools()
	if err != nil {
		return fmt.Errorf("derive the tools: %w", err)
	}
	listings, err := mcp.Listings(tools)
	if err != nil {
		return fmt.Errorf("list the tools: %w", err)
	}
	data, err := json.MarshalIndent(listings, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the listing: %w", err)
	}
	return os.WriteFile(out, append(data, '\n'), 0o644)
}
