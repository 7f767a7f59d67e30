package specgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// Pins is the content of openapi/pins.yaml.
type Pins struct {
	Surfaces []Surface `yaml:"surfaces"`
}

// Surface names one facade and the inputs it is derived from. Paths are
// relative to the pins file's folder.
type Surface struct {
	Name       string    `yaml:"name"`
	Title      string    `yaml:"title"`
	Capability string    `yaml:"capability"`
	Upstream   *Upstream `yaml:"upstream"`
	// Spec is a hand-written upstream spec used when there is no module pin
	// (the Cluster API surface has no upstream OpenAPI document).
	Spec    string `yaml:"spec"`
	Overlay string `yaml:"overlay"`
	Output  string `yaml:"output"`
	// UpstreamOutput, when set, receives the filtered upstream spec that a
	// typed upstream client is generated from.
	UpstreamOutput string `yaml:"upstreamOutput"`
}

// Upstream pins an upstream spec file inside a Go module version.
type Upstream struct {
	Module  string `yaml:"module"`
	Version string `yaml:"version"`
	Path    string `yaml:"path"`
}

// String is the pin as module@version/path.
func (u Upstream) String() string { return u.Module + "@" + u.Version + "/" + u.Path }

// LoadPins reads and checks a pins file.
func LoadPins(path string) (*Pins, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read pins: %w", err)
	}
	return ParsePins(path, raw)
}

// ParsePins checks the content of a pins file read from elsewhere (a git
// revision, for the API diff); path only names it in errors.
func ParsePins(path string, raw []byte) (*Pins, error) {
	var p Pins
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("parse pins %s: %w", path, err)
	}
	for i, s := range p.Surfaces {
		if s.Name == "" || s.Capability == "" || s.Output == "" {
			return nil, fmt.Errorf("pins %s: surface %d needs name, capability and output", path, i)
		}
		if (s.Upstream == nil) == (s.Spec == "") {
			return nil, fmt.Errorf("pins %s: surface %q needs exactly one of upstream or spec", path, s.Name)
		}
	}
	return &p, nil
}

// ModuleDir returns the module cache folder of a pinned module version,
// downloading it when needed. The go command verifies it against the checksum
// database, so the spec we read is the one the version names.
func ModuleDir(module, version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	_ = json.Unmarshal(out, &info)
	if info.Error != "" {
		return "", fmt.Errorf("download %s@%s: %s", module, version, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("download %s@%s: %w: %s", module, version, err, stderr.String())
	}
	return info.Dir, nil
}

// UpstreamFile resolves the pinned spec file on disk.
func UpstreamFile(u Upstream) (string, error) {
	dir, err := ModuleDir(u.Module, u.Version)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.FromSlash(u.Path)), nil
}
