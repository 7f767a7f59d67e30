package auth

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
)

func TestParseAndMatch(t *testing.T) {
	keys, err := ParseKeys("admin=s3cret, viewer=v1ew")
	require.NoError(t, err)
	k, ok := keys.Match("v1ew")
	require.True(t, ok)
	assert.Equal(t, vocab.Viewer, k.Role)
	assert.Equal(t, "viewer-2", k.Name)
	_, ok = keys.Match("s3cre")
	assert.False(t, ok, "a prefix of a key is not the key")
	_, ok = keys.Match("")
	assert.False(t, ok)
}

func TestParseErrorsNeverQuoteTheKey(t *testing.T) {
	_, err := ParseKeys("root=hunter2")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.Contains(t, err.Error(), `unknown role "root"`)
	_, err = ParseKeys("admin")
	assert.ErrorContains(t, err, "want role=key")
}

// TestKeysFileForms: the documented top-level list, the `keys:` mapping, and
// sha256sum's output pasted whole all load; the key "k" then matches.
func TestKeysFileForms(t *testing.T) {
	const sum = "8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a" // printf %s k | sha256sum
	for name, body := range map[string]string{
		"list":      "- name: ci\n  role: viewer\n  sha256: " + sum + "\n",
		"mapping":   "keys:\n  - name: ci\n    role: viewer\n    sha256: " + sum + "\n",
		"sha256sum": "- name: ci\n  role: viewer\n  sha256: " + sum + "  -\n",
	} {
		path := filepath.Join(t.TempDir(), "keys.yaml")
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		keys, err := LoadKeysFile(path)
		require.NoError(t, err, name)
		k, ok := keys.Match("k")
		require.True(t, ok, name)
		assert.Equal(t, "ci", k.Name, name)
	}
	path := filepath.Join(t.TempDir(), "keys.yaml")
	require.NoError(t, os.WriteFile(path, []byte("- name: ci\n  role: viewer\n  sha: "+sum+"\n"), 0o600))
	_, err := LoadKeysFile(path)
	assert.ErrorContains(t, err, "field sha not found", "unknown fields are refused")
}
