package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
)

// issuer is a minimal OIDC issuer for the refusals a real provider never
// produces (a token signed with a shared secret, claims a provider would not
// mint); the accepting paths are tested against ORY Hydra in tests/e2e.
type issuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	is := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) sign(t *testing.T, alg jose.SignatureAlgorithm, key any, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	require.NoError(t, err)
	raw, err := json.Marshal(claims)
	require.NoError(t, err)
	obj, err := s.Sign(raw)
	require.NoError(t, err)
	out, err := obj.CompactSerialize()
	require.NoError(t, err)
	return out
}

func (is *issuer) claims(extra map[string]any) map[string]any {
	c := map[string]any{"iss": is.srv.URL, "aud": []string{"clustergate"}, "sub": "agent-7",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestVerifyRolesFromScopesAndGroups(t *testing.T) {
	is := newIssuer(t)
	v, err := New(Config{Issuer: is.srv.URL, Audience: "clustergate", RolesClaim: "groups",
		GroupRoles: map[string]vocab.Role{"sre": vocab.Operator, "platform": vocab.Admin}})
	require.NoError(t, err)
	cases := []struct {
		name   string
		claims map[string]any
		want   vocab.Role
	}{
		{"scope string", map[string]any{"scope": "openid clustergate:viewer"}, vocab.Viewer},
		{"scp list, highest wins", map[string]any{"scp": []string{"clustergate:admin", "clustergate:viewer"}}, vocab.Admin},
		{"group mapping", map[string]any{"groups": []string{"sre"}}, vocab.Operator},
		{"group above scope", map[string]any{"scope": "clustergate:viewer", "groups": []string{"platform"}}, vocab.Admin},
		{"unknown scope", map[string]any{"scope": "clustergate:root"}, ""},
		{"nothing", nil, ""},
	}
	for _, tc := range cases {
		c, err := v.Verify(context.Background(), is.sign(t, jose.RS256, is.key, is.claims(tc.claims)))
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, c.Role, tc.name)
		assert.Equal(t, "agent-7", c.Subject, tc.name)
	}
}

// TestGroupsScopeUpstreams: a token's listed groups limit it to their
// upstreams; a token in no listed group reaches every upstream.
func TestGroupsScopeUpstreams(t *testing.T) {
	is := newIssuer(t)
	v, err := New(Config{Issuer: is.srv.URL, Audience: "clustergate", RolesClaim: "groups",
		GroupRoles:     map[string]vocab.Role{"sre": vocab.Operator},
		GroupUpstreams: map[string][]string{"site-east": {"east", "dc1"}, "site-west": {"west"}}})
	require.NoError(t, err)
	for _, tc := range []struct {
		groups        []string
		reach, refuse []string
	}{
		{[]string{"sre", "site-east"}, []string{"east", "dc1"}, []string{"west"}},
		{[]string{"site-east", "site-west"}, []string{"east", "west", "dc1"}, []string{"dc2"}},
		{[]string{"sre"}, []string{"east", "west", "anything"}, nil},
	} {
		id, err := v.VerifyToken(context.Background(), is.sign(t, jose.RS256, is.key, is.claims(map[string]any{"groups": tc.groups})))
		require.NoError(t, err)
		for _, u := range tc.reach {
			assert.True(t, id.Reaches(u), "%v reaches %s", tc.groups, u)
		}
		for _, u := range tc.refuse {
			assert.False(t, id.Reaches(u), "%v does not reach %s", tc.groups, u)
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	is := newIssuer(t)
	v, err := New(Config{Issuer: is.srv.URL, Audience: "clustergate"})
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	cases := map[string]string{
		"shared-secret HS256":   is.sign(t, jose.HS256, []byte("0123456789abcdef0123456789abcdef"), is.claims(nil)),
		"signed by another key": is.sign(t, jose.RS256, other, is.claims(nil)),
		"other issuer":          is.sign(t, jose.RS256, is.key, is.claims(map[string]any{"iss": "https://evil.example"})),
		"other audience":        is.sign(t, jose.RS256, is.key, is.claims(map[string]any{"aud": "someone-else"})),
		"expired":               is.sign(t, jose.RS256, is.key, is.claims(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})),
		"not yet valid":         is.sign(t, jose.RS256, is.key, is.claims(map[string]any{"nbf": time.Now().Add(time.Hour).Unix()})),
		"no subject":            is.sign(t, jose.RS256, is.key, is.claims(map[string]any{"sub": ""})),
		"garbage":               "a.b.c",
	}
	for name, tok := range cases {
		_, err := v.Verify(context.Background(), tok)
		assert.True(t, errors.Is(err, ErrInvalid), "%s: %v", name, err)
	}
}

func TestVerifyIssuerDownIsNotInvalid(t *testing.T) {
	v, err := New(Config{Issuer: "http://127.0.0.1:1", Audience: "clustergate"})
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), "a.b.c")
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrInvalid), "an unreachable provider is not the caller's fault: %v", err)
}

func TestNewRefusesBadConfig(t *testing.T) {
	_, err := New(Config{Issuer: "http://x"})
	assert.ErrorContains(t, err, "oidc-audience")
	_, err = New(Config{Issuer: "http://x", Audience: "a", GroupRoles: map[string]vocab.Role{"g": "root"}})
	assert.ErrorContains(t, err, `group "g"`)
}

// TestVerifyHungIssuerIsBounded: a provider that accepts and never answers
// costs one fetch timeout, not a request held (with every other token
// request queued behind its lock) for ever.
func TestVerifyHungIssuerIsBounded(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(func() { close(release); hung.Close() })
	v, err := New(Config{Issuer: hung.URL, Audience: "clustergate", FetchTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	done := make(chan error, 2)
	for range 2 {
		go func() { _, err := v.Verify(context.Background(), "a.b.c"); done <- err }()
	}
	for range 2 {
		select {
		case err := <-done:
			require.Error(t, err)
			assert.False(t, errors.Is(err, ErrInvalid), "a provider that does not answer is not the caller's fault")
		case <-time.After(5 * time.Second):
			t.Fatal("Verify waited on a hung provider past its fetch timeout")
		}
	}
}
