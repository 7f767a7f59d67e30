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

// keysFile is the --api-keys-file format: keys are stored as the SHA-256 of
// the key, so the file holds no secret.
//
//	keys:
//	  - name: ci-bot
//	    role: operator
//	    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
type keysFile struct {
	Keys []struct {
		Name   string `yaml:"name"`
		Role   string `yaml:"role"`
		SHA256 string `yaml:"sha256"`
	} `yaml:"keys"`
}

// LoadKeysFile reads hashed keys. Hash a key with: printf %s "$KEY" | sha256sum
func LoadKeysFile(path string) (Keys, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read api keys file: %w", err)
	}
	var f keysFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse api keys file %s: %w", path, err)
	}
	var keys Keys
	for i, k := range f.Keys {
		role, err := vocab.ParseRole(k.Role)
		if err != nil {
			return nil, fmt.Errorf("api keys file %s: key %d: %w", path, i+1, err)
		}
		sum, err := hex.DecodeString(strings.TrimSpace(k.SHA256))
		if err != nil || len(sum) != 32 {
			return nil, fmt.Errorf("api keys file %s: key %d: sha256 must be 64 hex digits", path, i+1)
		}
		name := k.Name
		if name == "" {
			name = fmt.Sprintf("%s-file-%d", role, i+1)
		}
		key := Key{Name: name, Role: role}
		copy(key.hash[:], sum)
		keys = append(keys, key)
	}
	return keys, nil
}
