package auth

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
)

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer k": "k", "bearer k": "k", "BEARER  k ": "k", "  Bearer k": "k",
	} {
		got, ok := BearerToken(header)
		assert.True(t, ok, "%q", header)
		assert.Equal(t, want, got, "%q", header)
	}
	for _, header := range []string{"", "Bearer", "Bearer ", "Basic k", "Bearerk", "Token k"} {
		_, ok := BearerToken(header)
		assert.False(t, ok, "%q", header)
	}
}

func TestIdentity(t *testing.T) {
	keys, err := ParseKeys("operator=abc")
	require.NoError(t, err)
	k, ok := keys.Match("abc")
	require.True(t, ok)
	id := k.Identity()
	assert.Equal(t, Identity{Kind: KindKey, Name: "operator-1", Role: vocab.Operator}, id)
	assert.Equal(t, "key:operator-1", id.Label())
	assert.Equal(t, "anonymous", Anonymous().Label())
	assert.Equal(t, vocab.Role(""), Anonymous().Role, "anonymous has no role: nothing is checked")
}

func TestKeyGivenTwiceIsRefused(t *testing.T) {
	keys, err := ParseKeys("viewer=same,admin=same")
	require.NoError(t, err)
	err = keys.Check("--api-keys")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--api-keys: one key is configured twice (as viewer-1 with role viewer and as admin-2 with role admin)")
	assert.NotContains(t, err.Error(), "same", "the error never quotes the key")

	dir := t.TempDir()
	file := filepath.Join(dir, "keys.yaml")
	sum := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	other := "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
	require.NoError(t, os.WriteFile(file, []byte("keys:\n- {name: bot, role: viewer, sha256: "+sum+"}\n- {name: bot, role: admin, sha256: "+other+"}\n"), 0o600))
	fileKeys, err := LoadKeysFile(file)
	require.NoError(t, err)
	assert.ErrorContains(t, fileKeys.Check("--api-keys-file"), `--api-keys-file: two keys are named "bot"`)

	ok, err := ParseKeys("viewer=a,admin=b")
	require.NoError(t, err)
	assert.NoError(t, ok.Check("--api-keys"))
}

func TestClientIP(t *testing.T) {
	req := func(remote string, xff ...string) *http.Request {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		for _, x := range xff {
			r.Header.Add("X-Forwarded-For", x)
		}
		return r
	}
	var none Proxies
	assert.Equal(t, "198.51.100.7", none.ClientIP(req("198.51.100.7:4000", "203.0.113.9")), "no proxy trusted: the peer")
	p, err := ParseProxies("10.0.0.0/8, 192.0.2.1")
	require.NoError(t, err)
	assert.Equal(t, "198.51.100.7", p.ClientIP(req("198.51.100.7:4000", "203.0.113.9")), "an untrusted peer's header is ignored")
	assert.Equal(t, "203.0.113.9", p.ClientIP(req("10.1.2.3:4000", "203.0.113.9")), "a trusted proxy names the client")
	assert.Equal(t, "203.0.113.9", p.ClientIP(req("10.1.2.3:4000", "1.1.1.1, 203.0.113.9, 192.0.2.1")),
		"read from the right, skipping trusted hops; what the client wrote on the left is not believed")
	assert.Equal(t, "10.1.2.3", p.ClientIP(req("10.1.2.3:4000", "not-an-ip")), "a malformed chain is not believed")
	assert.Equal(t, "10.9.9.9", p.ClientIP(req("10.1.2.3:4000", "10.9.9.9")), "all hops trusted: the first")
	_, err = ParseProxies("10.0.0.0/33")
	assert.ErrorContains(t, err, "trusted-proxies")
}

func TestThrottle(t *testing.T) {
	th := NewThrottle()
	for range FailBurst {
		assert.Zero(t, th.Wait("a"))
		th.Fail("a")
	}
	wait := th.Wait("a")
	assert.Greater(t, wait, time.Duration(0))
	assert.LessOrEqual(t, wait, FailEvery)
	assert.Zero(t, th.Wait("b"), "another source is not held back")
	assert.Equal(t, 1, RetryAfter(time.Millisecond))
	assert.Equal(t, 6, RetryAfter(5*time.Second+time.Millisecond))
}
