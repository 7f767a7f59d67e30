package specgen

import (
	"fmt"
	"os"
	"os/exec"

	"golang.org/x/mod/modfile"
)

// AlignGoMod makes go.mod require each pinned upstream module at its pinned
// version when the main module uses that module's Go client, so a bumped pin
// moves the spec and the client together. It returns what it changed.
func AlignGoMod(gomodPath string, pins *Pins) ([]string, error) {
	raw, err := os.ReadFile(gomodPath)
	if err != nil {
		return nil, fmt.Errorf("read go.mod: %w", err)
	}
	mf, err := modfile.ParseLax(gomodPath, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("parse go.mod: %w", err)
	}
	var changed []string
	for _, s := range pins.Surfaces {
		if s.Upstream == nil {
			continue
		}
		for _, req := range mf.Require {
			if req.Mod.Path != s.Upstream.Module || req.Mod.Version == s.Upstream.Version {
				continue
			}
			target := s.Upstream.Module + "@" + s.Upstream.Version
			cmd := exec.Command("go", "get", target)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return changed, fmt.Errorf("go get %s: %w", target, err)
			}
			changed = append(changed, fmt.Sprintf("%s %s -> %s", req.Mod.Path, req.Mod.Version, s.Upstream.Version))
		}
	}
	return changed, nil
}
