package auth

import (
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
