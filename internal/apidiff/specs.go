package apidiff

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/clustergate/clustergate/internal/specgen"
)

// Specs are the facade specs of one side of a comparison, keyed by surface
// file name (e.g. incus-cluster.yaml). A surface missing on one side is
// compared with an empty spec: all added, or all removed.
type Specs map[string][]byte

// Names lists the surfaces of both sides, sorted.
func Names(a, b Specs) []string {
	seen := map[string]bool{}
	var names []string
	for _, s := range []Specs{a, b} {
		for n := range s {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names
}

// FromTree reads the facade specs that pinsPath names, from the working tree.
func FromTree(pinsPath string) (Specs, error) {
	return fromPins(pinsPath, os.ReadFile)
}

// FromGit reads the facade specs at a git revision: the pins file as it was
// at ref, then each output it names as it was at ref.
func FromGit(ref, pinsPath string) (Specs, error) {
	show := func(path string) ([]byte, error) {
		cmd := exec.Command("git", "show", ref+":"+filepath.ToSlash(filepath.Clean(path)))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git show %s:%s: %w: %s", ref, path, err, bytes.TrimSpace(stderr.Bytes()))
		}
		return out, nil
	}
	return fromPins(pinsPath, show)
}

func fromPins(pinsPath string, read func(string) ([]byte, error)) (Specs, error) {
	raw, err := read(pinsPath)
	if err != nil {
		return nil, err
	}
	pins, err := specgen.ParsePins(pinsPath, raw)
	if err != nil {
		return nil, err
	}
	specs := Specs{}
	for _, s := range pins.Surfaces {
		data, err := read(filepath.Join(filepath.Dir(pinsPath), s.Output))
		if err != nil {
			return nil, fmt.Errorf("surface %s: %w", s.Name, err)
		}
		specs[s.Output] = data
	}
	return specs, nil
}

// FromDir reads every *.yaml in dir: the released baseline.
func FromDir(dir string) (Specs, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	specs := Specs{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		specs[filepath.Base(f)] = data
	}
	return specs, nil
}
