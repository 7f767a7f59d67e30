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
	base := filepath.Dir(pinsPath)
	for _, r := range results {
		out := filepath.Join(base, r.Surface.Output)
		fmt.Printf("specgen: %s: %d repairs to the upstream spec -> %s\n", r.Surface.Name, len(r.Repairs), out)
		if verbose {
			for _, rep := range r.Repairs {
				fmt.Println("  -", rep)
			}
		}
		files := map[string][]byte{out: r.YAML}
		if r.Surface.UpstreamOutput != "" {
			files[filepath.Join(base, r.Surface.UpstreamOutput)] = r.UpstreamYAML
		}
		for path, content := range files {
			changed, err := writeIfChanged(path, content, check)
			if err != nil {
				return err
			}
			if changed {
				stale = append(stale, path)
			}
		}
	}
	if check && len(stale) > 0 {
		return fmt.Errorf("out of date (run `make generate`): %v", stale)
	}
	return nil
}

// writeIfChanged writes content unless the file already holds it (or check
// is set); it reports whether the file differed.
func writeIfChanged(path string, content []byte, check bool) (bool, error) {
	old, _ := os.ReadFile(path)
	if bytes.Equal(old, content) {
		return false, nil
	}
	if check {
		return true, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return true, fmt.Errorf("create folder for %s: %w", path, err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		return true, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}
