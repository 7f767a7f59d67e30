package auth

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/clustergate/clustergate/internal/vocab"
)

// fileKey is one entry of the --api-keys-file: keys are stored as the
// SHA-256 of the key, so the file holds no secret.
type fileKey struct {
	Name   string `yaml:"name"`
	Role   string `yaml:"role"`
	SHA256 string `yaml:"sha256"`
	// Upstreams limits the key to these named upstreams (any surface).
	Upstreams []string `yaml:"upstreams"`
}

// keysFile is the older form of the file: the list under a `keys:` key.
type keysFile struct {
	Keys []fileKey `yaml:"keys"`
}

// LoadKeysFile reads hashed keys: a YAML list of {name, role, sha256}
// (the documented form), or the same list under a `keys:` mapping.
//
//   - name: ci-bot
//     role: operator
//     sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//
// Hash a key with: printf %s "$KEY" | sha256sum. Its output, "<hex>  -",
// may be pasted whole.
func LoadKeysFile(path string) (Keys, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read api keys file: %w", err)
	}
	entries, err := decodeKeysFile(raw)
	if err != nil {
		return nil, fmt.Errorf("parse api keys file %s: %w", path, err)
	}
	var keys Keys
	for i, k := range entries {
		role, err := vocab.ParseRole(k.Role)
		if err != nil {
			return nil, fmt.Errorf("api keys file %s: key %d: %w", path, i+1, err)
		}
		sum, err := hex.DecodeString(hashField(k.SHA256))
		if err != nil || len(sum) != 32 {
			return nil, fmt.Errorf("api keys file %s: key %d: sha256 must be 64 hex digits (printf %%s \"$KEY\" | sha256sum)", path, i+1)
		}
		name := k.Name
		if name == "" {
			name = fmt.Sprintf("%s-file-%d", role, i+1)
		}
		key := Key{Name: name, Role: role, Upstreams: k.Upstreams}
		copy(key.hash[:], sum)
		keys = append(keys, key)
	}
	return keys, nil
}

// decodeKeysFile accepts a top-level list or a `keys:` mapping; unknown
// fields are refused in both.
func decodeKeysFile(raw []byte) ([]fileKey, error) {
	var probe yaml.Node
	if err := yaml.Unmarshal(raw, &probe); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if len(probe.Content) == 1 && probe.Content[0].Kind == yaml.SequenceNode {
		var list []fileKey
		err := dec.Decode(&list)
		return list, err
	}
	var f keysFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("want a list of {name, role, sha256}: %w", err)
	}
	return f.Keys, nil
}

// hashField is the hex digest from a sha256 field, which may be sha256sum's
// whole output line ("<hex>  -" or "<hex>  file").
func hashField(s string) string {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}
