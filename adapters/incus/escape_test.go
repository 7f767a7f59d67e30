package incus

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemberNamesCannotChangeTheRequest deletes a member whose name holds a
// query and a slash: the fake Incus must see one escaped path segment and no
// query, never "?force=1" (a forced removal the adapter never sends).
func TestMemberNamesCannotChangeTheRequest(t *testing.T) {
	var mu sync.Mutex
	var seen []*http.Request
	sock := fakeIncus(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(context.Background()))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"type":"sync","status_code":200,"metadata":{}}`))
	})

	a := New(Config{Socket: sock})
	require.NoError(t, a.DeleteMember(context.Background(), "m1?force=1/x"))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 1)
	assert.Equal(t, "DELETE", seen[0].Method)
	assert.Equal(t, "/1.0/cluster/members/m1?force=1/x", seen[0].URL.Path, "one segment, decoded")
	assert.Equal(t, "/1.0/cluster/members/m1%3Fforce=1%2Fx", seen[0].URL.EscapedPath())
	assert.Empty(t, seen[0].URL.Query().Get("force"), "the name did not become a query")
}
