package e2e

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/hydratest"
)

const oidcAudience = "clustergate"

// oidcGate starts a real Hydra and clustergate trusting it (sandbox
// upstreams: what is under test is who gets in), and a client allowed every
// clustergate scope.
func oidcGate(t *testing.T, extra map[string]string) (*hydratest.Server, hydratest.Client, *cgtest.Gate) {
	t.Helper()
	hydra := hydratest.Start(t)
	env := map[string]string{"CLUSTERGATE_OIDC_ISSUER": hydra.Issuer, "CLUSTERGATE_OIDC_AUDIENCE": oidcAudience}
	for k, v := range extra {
		env[k] = v
	}
	gate := cgtest.Start(t, env)
	client := hydra.CreateClient(t, []string{"clustergate:viewer", "clustergate:operator", "clustergate:admin"},
		[]string{oidcAudience, "someone-else"})
	return hydra, client, gate
}

type answer struct {
	status int
	header http.Header
	body   string
}

func sendToken(t *testing.T, method, url, token, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx(t), method, url, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(raw)}
}

// TestOIDCRolesFromScopes: a token's scope decides its role, on REST and on
// MCP; a role too low for a route is 403 insufficient_scope naming the
// scope it needs.
func TestOIDCRolesFromScopes(t *testing.T) {
	hydra, client, gate := oidcGate(t, nil)
	read := gate.URL + "/v1/1-0/cluster/members-recursion-1"
	write := gate.URL + "/v1/1-0/cluster/members/node2"
	join := gate.URL + "/v1/1-0/cluster/members"
	// The contract: viewer reads; operator also changes members; admin also
	// issues join tokens (a secret).
	cases := []struct {
		role               string
		read, write, admin bool
	}{
		{"viewer", true, false, false},
		{"operator", true, true, false},
		{"admin", true, true, true},
	}
	for i, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			tok := hydra.Token(t, client, []string{"clustergate:" + tc.role}, oidcAudience)
			expect := func(a answer, allowed bool, needs string) {
				t.Helper()
				if allowed {
					assert.Less(t, a.status, 300, a.body)
					return
				}
				assert.Equal(t, http.StatusForbidden, a.status, a.body)
				assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
				assert.Contains(t, a.header.Get("WWW-Authenticate"), `scope="clustergate:`+needs+`"`)
			}
			expect(sendToken(t, http.MethodGet, read, tok, ""), tc.read, "viewer")
			expect(sendToken(t, http.MethodPatch, write, tok, `{"description":"set by `+tc.role+`"}`), tc.write, "operator")
			expect(sendToken(t, http.MethodPost, join, tok, `{"server_name":"oidc`+string(rune('a'+i))+`"}`), tc.admin, "admin")

			s, err := mcpSession(t, gate.MCPURL, tok)
			require.NoError(t, err)
			tools, err := s.ListTools(ctx(t), nil)
			require.NoError(t, err)
			listed := map[string]bool{}
			for _, tl := range tools.Tools {
				listed[tl.Name] = true
			}
			assert.True(t, listed["get-cluster-member"])
			assert.Equal(t, tc.write, listed["partially-update-cluster-member"])
			assert.Equal(t, tc.admin, listed["request-join-token"])
			res := call(t, s, "get-cluster-member", map[string]any{"name": "node2"})
			assert.False(t, res.IsError, text(res))
		})
	}
}

// TestOIDCRefusals: every token clustergate must not accept is a 401 that
// points at the protected-resource metadata, and that document names the
// issuer and the scopes.
func TestOIDCRefusals(t *testing.T) {
	hydra, client, gate := oidcGate(t, map[string]string{"CLUSTERGATE_OIDC_CLOCK_SKEW": "0s"})
	url := gate.URL + "/v1/1-0/cluster/members-recursion-1"
	good := hydra.Token(t, client, []string{"clustergate:viewer"}, oidcAudience)
	require.Equal(t, http.StatusOK, sendToken(t, http.MethodGet, url, good, "").status)

	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	short := hydra.CreateClientWith(t, map[string]any{"client_credentials_grant_access_token_lifespan": "1s"},
		[]string{"clustergate:viewer"}, []string{oidcAudience})
	expired := hydra.Token(t, short, []string{"clustergate:viewer"}, oidcAudience)
	time.Sleep(2500 * time.Millisecond)

	for name, tok := range map[string]string{
		"none":           "",
		"wrong audience": hydra.Token(t, client, []string{"clustergate:viewer"}, "someone-else"),
		"tampered":       tampered,
		"expired":        expired,
		"not a key":      "not-a-key-or-token",
	} {
		a := sendToken(t, http.MethodGet, url, tok, "")
		assert.Equal(t, http.StatusUnauthorized, a.status, "%s: %s", name, a.body)
		assert.Contains(t, a.header.Get("WWW-Authenticate"), `resource_metadata="`+gate.URL+`/.well-known/oauth-protected-resource"`, name)
		assert.Contains(t, a.body, `"status":401`, name)
		if tok != "" {
			assert.NotContains(t, a.body, tok, "%s: a token is never echoed", name)
		}
	}

	meta := sendToken(t, http.MethodGet, gate.URL+"/.well-known/oauth-protected-resource", "", "")
	require.Equal(t, http.StatusOK, meta.status, meta.body)
	var doc struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	require.NoError(t, json.Unmarshal([]byte(meta.body), &doc))
	assert.Equal(t, []string{hydra.Issuer}, doc.AuthorizationServers)
	assert.Equal(t, []string{"clustergate:viewer", "clustergate:operator", "clustergate:admin"}, doc.ScopesSupported)

	mcpMeta := sendToken(t, http.MethodGet, strings.TrimSuffix(gate.MCPURL, "/mcp")+"/.well-known/oauth-protected-resource/mcp", "", "")
	require.Equal(t, http.StatusOK, mcpMeta.status, mcpMeta.body)
	assert.Contains(t, mcpMeta.body, hydra.Issuer)
	unauth := sendToken(t, http.MethodPost, gate.MCPURL, "", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	assert.Equal(t, http.StatusUnauthorized, unauth.status)
	assert.Contains(t, unauth.header.Get("WWW-Authenticate"), `resource_metadata="`+strings.TrimSuffix(gate.MCPURL, "/mcp")+`/.well-known/oauth-protected-resource/mcp"`)
}

// TestOIDCKeyRotation: after Hydra signs with a new key, clustergate
// fetches the issuer's keys again and accepts the new token at once.
func TestOIDCKeyRotation(t *testing.T) {
	hydra, client, gate := oidcGate(t, nil)
	url := gate.URL + "/v1/1-0/cluster/members-recursion-1"
	before := hydra.Token(t, client, []string{"clustergate:viewer"}, oidcAudience)
	require.Equal(t, http.StatusOK, sendToken(t, http.MethodGet, url, before, "").status)
	hydra.RotateKeys(t)
	after := hydra.Token(t, client, []string{"clustergate:viewer"}, oidcAudience)
	require.NotEqual(t, kid(t, before), kid(t, after), "Hydra signs with a new key")
	a := sendToken(t, http.MethodGet, url, after, "")
	assert.Equal(t, http.StatusOK, a.status, a.body)
}

// TestOIDCOverMCPClients: the MCP Go SDK client with a Hydra token; the
// subject (Hydra's client id) is the identity clustergate logs.
func TestOIDCOverMCPClients(t *testing.T) {
	auditLog := t.TempDir() + "/audit.jsonl"
	hydra, client, gate := oidcGate(t, map[string]string{"CLUSTERGATE_AUDIT_LOG": auditLog})
	tok := hydra.Token(t, client, []string{"clustergate:operator"}, oidcAudience)
	s, err := mcpSession(t, gate.MCPURL, tok)
	require.NoError(t, err)
	res := call(t, s, "partially-update-cluster-member", map[string]any{"name": "node3", "body": map[string]any{"description": "via mcp"}})
	assert.False(t, res.IsError, text(res))
	assert.Contains(t, gate.Logs(), "token:"+client.ID, "the token subject is the caller in the request log")

	raw, err := os.ReadFile(auditLog)
	require.NoError(t, err)
	var line struct {
		Identity     string `json:"identity"`
		IdentityKind string `json:"identity_kind"`
		Role         string `json:"role"`
		Tool         string `json:"tool"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(strings.TrimSpace(string(raw)), "\n", 2)[0]), &line), "%s", raw)
	assert.Equal(t, client.ID, line.Identity, "the audit log names the token's subject")
	assert.Equal(t, "token", line.IdentityKind)
	assert.Equal(t, "operator", line.Role)
	assert.Equal(t, "partially-update-cluster-member", line.Tool)
	assert.NotContains(t, string(raw), tok, "never the token")

	metrics := sendToken(t, http.MethodGet, gate.URL+"/metrics", "", "")
	assert.Contains(t, metrics.body, `caller="operator"`, "metrics name the caller's role")
	assert.NotContains(t, metrics.body, client.ID, "never the subject: its values would grow without bound")
}

func kid(t *testing.T, token string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &h))
	return h.Kid
}

// TestOIDCGroupScopeTrimsTheToolList: a token whose group the provider
// vouches for (Hydra's token hook adds the claim, as a directory would) and
// that clustergate scopes to the sandbox's second Incus and Portworx
// clusters lists only the tools of surfaces it can reach, and is refused on
// the others; its role comes from the same group.
func TestOIDCGroupScopeTrimsTheToolList(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"session":{"access_token":{"groups":["second-site"]}}}`))
	}))
	t.Cleanup(hook.Close)
	hydra := hydratest.StartWith(t, map[string]string{"OAUTH2_TOKEN_HOOK_URL": hook.URL, "OAUTH2_ALLOWED_TOP_LEVEL_CLAIMS": "groups"})
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_OIDC_ISSUER": hydra.Issuer, "CLUSTERGATE_OIDC_AUDIENCE": oidcAudience,
		"CLUSTERGATE_OIDC_ROLES_CLAIM": "groups", "CLUSTERGATE_OIDC_GROUP_ROLES": "second-site=operator",
		"CLUSTERGATE_OIDC_GROUP_UPSTREAMS": "second-site=sandbox-2"})
	client := hydra.CreateClient(t, []string{"openid"}, []string{oidcAudience})
	tok := hydra.Token(t, client, nil, oidcAudience)

	s, err := mcpSession(t, gate.MCPURL, tok)
	require.NoError(t, err)
	tools, err := s.ListTools(ctx(t), nil)
	require.NoError(t, err)
	listed := map[string]bool{}
	for _, tl := range tools.Tools {
		listed[tl.Name] = true
	}
	assert.True(t, listed["partially-update-cluster-member"], "Incus has sandbox-2, and the group makes an operator")
	assert.True(t, listed["enumerate-returns-list-cluster-pairs"], "so has Portworx")
	assert.False(t, listed["list_clusters"], "Cluster API has no upstream in the token's scope")
	assert.False(t, listed["request-join-token"], "an operator, not an admin")

	in := sendToken(t, http.MethodGet, gate.URL+"/v1/1-0/cluster/members-recursion-1?upstream=sandbox-2", tok, "")
	assert.Equal(t, http.StatusOK, in.status, in.body)
	out := sendToken(t, http.MethodGet, gate.URL+"/v1/capi/clusters", tok, "")
	assert.Equal(t, http.StatusForbidden, out.status, out.body)
}
