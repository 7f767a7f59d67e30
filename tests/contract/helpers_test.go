package contract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/apierr"
)

// variant is one implementation of an upstream: start returns a fresh one,
// owned by t (stopped at its cleanup).
type variant[E any] struct {
	name  string
	start func(t *testing.T) E
}

// run runs test once per variant, each on a fresh upstream.
func run[E any](t *testing.T, variants []variant[E], test func(t *testing.T, env E)) {
	t.Helper()
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) { test(t, v.start(t)) })
	}
}

// ctx bounds one test's calls: every upstream call gets a deadline.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// requireError asserts err is an apierr.Error from upstream with status,
// whose message contains each of parts, and returns its message.
func requireError(t *testing.T, err error, upstream string, status int, parts ...string) string {
	t.Helper()
	require.Error(t, err)
	e := apierr.From(err)
	assert.Equal(t, status, e.Status, "status of %q", e.Message)
	assert.Equal(t, upstream, e.Upstream, "upstream of %q", e.Message)
	for _, p := range parts {
		assert.Contains(t, e.Message, p)
	}
	return e.Message
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// hashOf is the ETag Incus and LXD compute for v: SHA-256 of its JSON
// encoding (json.Encoder, so with the trailing newline).
func hashOf(t *testing.T, v any) string {
	t.Helper()
	h := sha256.New()
	require.NoError(t, json.NewEncoder(h).Encode(v))
	return hex.EncodeToString(h.Sum(nil))
}

// hostPort renders an address as the servers' messages do.
func hostPort(ip string, port uint32) string {
	return net.JoinHostPort(ip, strconv.FormatUint(uint64(port), 10))
}
