package specgen

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/semver"
)

// SetPin changes one surface's upstream version in the pins file and returns
// the version it replaced. Only that value's line is rewritten, so comments
// and layout stay as written.
func SetPin(pinsPath, surface, version string) (string, error) {
	if !semver.IsValid(version) {
		return "", fmt.Errorf("%q is not a module version (vX.Y.Z)", version)
	}
	raw, err := os.ReadFile(pinsPath)
	if err != nil {
		return "", fmt.Errorf("read pins: %w", err)
	}
	if _, err := ParsePins(pinsPath, raw); err != nil {
		return "", err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return "", err
	}
	node := versionNode(&root, surface)
	if node == nil {
		return "", fmt.Errorf("%s: no surface %q with an upstream version", pinsPath, surface)
	}
	lines := bytes.Split(raw, []byte("\n"))
	line := string(lines[node.Line-1])
	col := node.Column - 1
	if !strings.HasPrefix(line[col:], node.Value) {
		return "", fmt.Errorf("%s:%d: the version is not written plainly; edit it by hand", pinsPath, node.Line)
	}
	lines[node.Line-1] = []byte(line[:col] + version + line[col+len(node.Value):])
	return node.Value, os.WriteFile(pinsPath, bytes.Join(lines, []byte("\n")), 0o644)
}

// versionNode finds surfaces[name=surface].upstream.version.
func versionNode(root *yaml.Node, surface string) *yaml.Node {
	if len(root.Content) == 0 {
		return nil
	}
	list := mapValue(root.Content[0], "surfaces")
	if list == nil {
		return nil
	}
	for _, s := range list.Content {
		if n := mapValue(s, "name"); n != nil && n.Value == surface {
			if up := mapValue(s, "upstream"); up != nil {
				return mapValue(up, "version")
			}
		}
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
