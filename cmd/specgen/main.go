// Command specgen derives the facade OpenAPI specs in openapi/ from the
// capability documents, the pinned upstream specs and the overlays.
//
//	go run ./cmd/specgen [-pins openapi/pins.yaml] [-check]
//
// With -check it writes nothing and fails when a facade on disk differs from
// what it would write.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clustergate/clustergate/internal/specgen"
)

func main() {
	pinsPath := flag.String("pins", "openapi/pins.yaml", "pins file naming each surface's inputs")
	check := flag.Bool("check", false, "fail instead of writing when a facade would change")
	gomod := flag.String("gomod", "go.mod", "go.mod to align with the pins (empty: leave it)")
	verbose := flag.Bool("v", false, "print every repair made to the upstream specs")
	flag.Parse()
	if err := run(*pinsPath, *gomod, *check, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

func run(pinsPath, gomod string, check, verbose bool) error {
	if gomod != "" && !check {
		pins, err := specgen.LoadPins(pinsPath)
		if err != nil {
			return err
		}
		changed, err := specgen.AlignGoMod(gomod, pins)
		if err != nil {
			return err
		}
		for _, c := range changed {
			fmt.Println("specgen: go.mod:", c)
		}
	}
	results, err := specgen.Generate(pinsPath)
	if err != nil {
		return err
	}
	var stale []string
	for _, r := range results {
		out := filepath.Join(filepath.Dir(pinsPath), r.Surface.Output)
		fmt.Printf("specgen: %s: %d repairs to the upstream spec -> %s\n", r.Surface.Name, len(r.Repairs), out)
		if verbose {
			for _, rep := range r.Repairs {
				fmt.Println("  -", rep)
			}
		}
		old, _ := os.ReadFile(out)
		if bytes.Equal(old, r.YAML) {
			continue
		}
		if check {
			stale = append(stale, out)
			continue
		}
		if err := os.WriteFile(out, r.YAML, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("out of date (run `make generate`): %v", stale)
	}
	return nil
}
