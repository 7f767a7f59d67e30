package security

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
	"github.com/clustergate/clustergate/tests/cgtest"
)

// longStrings collects the string values of a JSON document long enough to
// be a credential (tokens, keys, kubeconfig data).
func longStrings(raw []byte) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(n any) {
		switch x := n.(type) {
		case map[string]any:
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		case string:
			if len(x) >= 24 {
				out = append(out, x)
			}
		}
	}
	walk(v)
	return out
}

// TestNoSecretInAuditOrLogs handles every kind of secret through REST and
// MCP (API keys right and wrong, a join token, the pair token before and
// after a reset, a certificate's key, a kubeconfig), then scans the audit
// file and the logs for each of them.
func TestNoSecretInAuditOrLogs(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "audit.jsonl")
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": keySetting, "CLUSTERGATE_AUDIT_LOG": logPath,
		"CLUSTERGATE_RATE_LIMIT": "0"})
	admin := keys[vocab.Admin]
	secrets := []string{keys[vocab.Viewer], keys[vocab.Operator], admin, "wrong-key-guess-0123456789"}
	sendID(t, gate, "GET", "/v1/1-0/cluster", "", "wrong-key-guess-0123456789", "s-0")

	for i, c := range []struct{ method, path, body string }{
		{"POST", "/v1/1-0/cluster/members", `{"server_name":"joiner"}`},
		{"GET", "/v1/v1/clusterpairs/token", ""},
		{"POST", "/v1/v1/clusterpairs/token", "{}"},
		{"GET", "/v1/capi/namespaces/default/clusters/demo/kubeconfig", ""},
	} {
		status, raw := sendID(t, gate, c.method, c.path, c.body, admin, "s-"+string(rune('a'+i)))
		require.Less(t, status, 300, "%s %s: %s", c.method, c.path, raw)
		found := longStrings(raw)
		require.NotEmpty(t, found, "%s %s answers a secret", c.method, c.path)
		secrets = append(secrets, found...)
	}
	certKey := "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7-----END PRIVATE KEY-----"
	secrets = append(secrets, certKey)
	sendID(t, gate, "PUT", "/v1/1-0/cluster/certificate",
		`{"cluster_certificate":"-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----","cluster_certificate_key":"`+certKey+`"}`, admin, "s-cert")

	s := mcpAs(t, gate, admin)
	res, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: "get_cluster_kubeconfig",
		Arguments: map[string]any{"namespace": "default", "name": "demo"}})
	require.NoError(t, err)
	require.False(t, res.IsError)
	text := res.Content[0].(*sdk.TextContent).Text
	secrets = append(secrets, longStrings([]byte(text))...)

	auditRaw, err := os.ReadFile(logPath)
	require.NoError(t, err)
	require.NotEmpty(t, auditRaw)
	for _, where := range []struct{ name, text string }{{"audit log", string(auditRaw)}, {"logs", gate.Logs()}} {
		for _, secret := range secrets {
			assert.False(t, strings.Contains(where.text, secret), "the %s holds a secret (%d bytes, starting %.6q)", where.name, len(secret), secret)
		}
	}
}
