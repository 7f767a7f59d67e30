package e2e

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/vocab"
)

// errBody decodes an error answer's body, whatever its status: the typed
// clients keep each declared status in its own field, and a test that
// reads the message should not depend on which one.
func errBody(t *testing.T, body []byte) vocab.ErrorBody {
	t.Helper()
	var e vocab.ErrorBody
	require.NoError(t, json.Unmarshal(body, &e), "not the error shape: %s", body)
	require.NotEmpty(t, e.Message, "an error answer names what went wrong: %s", body)
	return e
}
