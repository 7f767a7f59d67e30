package app

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/config"
)

func build(t *testing.T, env map[string]string) (*Stack, error) {
	t.Helper()
	cfg, err := config.Load(flag.NewFlagSet("t", flag.ContinueOnError), nil, func(k string) string { return env[k] })
	require.NoError(t, err)
	return Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
}

func TestTablesShowRoleAndClassOfRoutesWithoutATool(t *testing.T) {
	st, err := build(t, map[string]string{"CLUSTERGATE_READ_ONLY": "true"})
	require.NoError(t, err)
	routes := st.RoutesTable()
	assert.Contains(t, routes, "| GET | `/v1/capi/namespaces/{namespace}/clusters` | listnamespacedclusters | — | viewer | read |")
	assert.Contains(t, routes, "| POST | `/v1/v1/clusterpairs/token` | openstorageclusterpairresettoken | resettoken-returns-auth-token | admin | destructive, sensitive |")
	tools := st.ToolsTable()
	assert.Contains(t, tools, "| get_cluster_kubeconfig | GET `/v1/capi/namespaces/{namespace}/clusters/{name}/kubeconfig` | admin | read, sensitive |")
	assert.NotContains(t, tools, "| write", "read-only lists no tool that writes")
	assert.NotContains(t, tools, "| destructive")
}

func TestKeysGivenTwiceAreRefusedNamingTheSetting(t *testing.T) {
	_, err := build(t, map[string]string{"CLUSTERGATE_API_KEYS": "viewer=k1,operator=k1"})
	assert.ErrorContains(t, err, "--api-keys: one key is configured twice")

	file := filepath.Join(t.TempDir(), "keys.yaml")
	// sha256 of "k1"
	sum := "6ab9f1eb8f7d3388f4f9d586f66e99fd54080df2c446f0e58668b09c08a16dd0"
	require.NoError(t, os.WriteFile(file, []byte("keys:\n- {name: bot, role: admin, sha256: "+sum+"}\n"), 0o600))
	_, err = build(t, map[string]string{"CLUSTERGATE_API_KEYS": "viewer=k1", "CLUSTERGATE_API_KEYS_FILE": file})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "--api-keys and --api-keys-file: one key is configured twice"), err.Error())
	_, err = build(t, map[string]string{"CLUSTERGATE_API_KEYS": "viewer=k2", "CLUSTERGATE_API_KEYS_FILE": file})
	assert.NoError(t, err)
}

func TestAuditLogThatCannotOpenStopsTheStart(t *testing.T) {
	_, err := build(t, map[string]string{"CLUSTERGATE_AUDIT_LOG": filepath.Join(t.TempDir(), "no", "such", "dir", "a.jsonl")})
	assert.ErrorContains(t, err, "open audit log")
}
