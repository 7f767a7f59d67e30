package config

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnonymousNonLoopbackIsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
		flag string
	}{
		{[]string{"--http-addr", ":8080"}, nil, "--http-addr: :8080"},
		{[]string{"--http-addr", "0.0.0.0:8080"}, nil, "--http-addr: 0.0.0.0:8080"},
		{nil, map[string]string{"CLUSTERGATE_MCP_ADDR": "[::]:9090"}, "CLUSTERGATE_MCP_ADDR (mcp-addr): [::]:9090"},
		{[]string{"--mcp-addr", "192.0.2.1:9090"}, nil, "--mcp-addr: 192.0.2.1:9090"},
	} {
		_, err := load(t, c.args, c.env)
		require.Error(t, err, c.flag)
		assert.ErrorContains(t, err, c.flag)
		assert.ErrorContains(t, err, "--insecure-allow-anonymous")
	}
}

func TestNonLoopbackNeedsKeysOrTheFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"--http-addr", ":8080", "--mcp-addr", ""}, map[string]string{"CLUSTERGATE_API_KEYS": "admin=k"}},
		{[]string{"--http-addr", ":8080", "--api-keys-file", keysFile(t)}, nil},
		{[]string{"--http-addr", ":8080", "--insecure-allow-anonymous=true"}, nil},
		{[]string{"--http-addr", "localhost:8080", "--mcp-addr", "[::1]:9090"}, nil},
		{[]string{"--http-addr", "127.0.0.2:8080", "--mcp-addr", ""}, nil},
	} {
		_, err := load(t, c.args, c.env)
		assert.NoError(t, err, "%v %v", c.args, c.env)
	}
}

// keysFile writes a valid --api-keys-file: the setting is checked for a
// readable file before the address is.
func keysFile(t *testing.T) string {
	t.Helper()
	path := t.TempDir() + "/keys.yaml"
	require.NoError(t, os.WriteFile(path, []byte("- name: ops\n  role: admin\n  sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"), 0o600))
	return path
}
