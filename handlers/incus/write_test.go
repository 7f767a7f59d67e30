package incus

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/apierr"
)

// racyMember is an upstream with one member whose writes can be made to
// lose a race the way they do between clustergate replicas: before its
// next write is applied (beforeWrite) or right after (afterWrite), another
// writer changes the member.
type racyMember struct {
	Upstream // only the member calls below are used
	mu       sync.Mutex
	m        api.ClusterMember
	version  int
	writes   int
	// beforeWrite and afterWrite, when set, run under the lock as the
	// other writer; they return false once they should stop.
	beforeWrite, afterWrite func(m *api.ClusterMember) bool
}

func (r *racyMember) etag() string { return string(rune('a' + r.version)) }

func (r *racyMember) GetMember(context.Context, string) (*api.ClusterMember, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cp := r.m
	cp.Config = mergeConfig(r.m.Config, &map[string]string{})
	return &cp, r.etag(), nil
}

func (r *racyMember) UpdateMember(_ context.Context, _ string, put api.ClusterMemberPut, etag string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	if r.beforeWrite != nil && r.beforeWrite(&r.m) {
		r.version++
	}
	if etag != "" && etag != r.etag() {
		return apierr.Upstream("incus", http.StatusPreconditionFailed, nil, "incus: ETag doesn't match")
	}
	r.m.ClusterMemberPut = put
	r.version++
	if r.afterWrite != nil && r.afterWrite(&r.m) {
		r.version++
	}
	return nil
}

func newRacy() *racyMember {
	return &racyMember{m: api.ClusterMember{ServerName: "m1", ClusterMemberPut: api.ClusterMemberPut{
		Config: map[string]string{"user.base": "1"}, Groups: []string{"default"}}}}
}

// otherWriter sets key on the member n times, then stops.
func otherWriter(key string, n int) func(m *api.ClusterMember) bool {
	return func(m *api.ClusterMember) bool {
		if n == 0 {
			return false
		}
		n--
		m.Config = mergeConfig(m.Config, &map[string]string{key: "other"})
		return true
	}
}

func patchConfig(h *Handler, ifMatch *string, key string) (gen.ClustermemberpatchResponseObject, error) {
	return h.Clustermemberpatch(context.Background(), gen.ClustermemberpatchRequestObject{Name: "m1",
		Params: gen.ClustermemberpatchParams{IfMatch: ifMatch}, Body: &gen.ClusterMemberPut{Config: &map[string]string{key: "mine"}}})
}

func TestPatchWithoutIfMatchRetriesALostRace(t *testing.T) {
	up := newRacy()
	up.beforeWrite = otherWriter("user.other", 2) // two lost races, then through
	resp, err := patchConfig(New(up), nil, "user.mine")
	require.NoError(t, err, "no 412: the caller sent no precondition")
	ok := resp.(gen.Clustermemberpatch200JSONResponse)
	assert.Equal(t, map[string]string{"user.base": "1", "user.other": "other", "user.mine": "mine"}, *ok.Body.Config,
		"the answer is the member as it now is, both writers' keys kept")
	assert.Equal(t, 3, up.writes)
	assert.Equal(t, up.etag(), *ok.Headers.ETag)
}

func TestPatchWithIfMatchLosesARaceWith412(t *testing.T) {
	up := newRacy()
	etag := up.etag()
	up.beforeWrite = otherWriter("user.other", 1)
	_, err := patchConfig(New(up), &etag, "user.mine")
	assert.Equal(t, http.StatusPreconditionFailed, apierr.From(err).Status)
	assert.Equal(t, 1, up.writes, "a conditional write is not retried")
}

func TestPatchOverwrittenAfterItsWriteIsReapplied(t *testing.T) {
	up := newRacy()
	// Another replica that read before this write replaces the member
	// right after it (the upstream's ETag check is not atomic).
	up.afterWrite = func(m *api.ClusterMember) bool {
		if m.Config["user.mine"] == "" || up.writes > 1 {
			return false
		}
		m.Config = map[string]string{"user.base": "1", "user.other": "other"}
		return true
	}
	resp, err := patchConfig(New(up), nil, "user.mine")
	require.NoError(t, err)
	assert.Equal(t, "mine", (*resp.(gen.Clustermemberpatch200JSONResponse).Body.Config)["user.mine"])
	assert.Equal(t, 2, up.writes, "the lost write was run again")
}

func TestOverwrittenWritesAreNeverAcknowledged(t *testing.T) {
	overwrite := func(m *api.ClusterMember) bool { m.Description = "someone else"; return true }
	up := newRacy()
	up.afterWrite = overwrite
	desc := "mine"
	_, err := New(up).Clustermemberput(context.Background(), gen.ClustermemberputRequestObject{Name: "m1",
		Body: &gen.ClusterMemberPut{Description: &desc, Groups: &[]string{"default"}}})
	e := apierr.From(err)
	assert.Equal(t, http.StatusConflict, e.Status, "a replacement overwritten after its write is not acknowledged")
	assert.Contains(t, e.Message, "reading it back shows description differs from what was written")
	assert.Equal(t, 1, up.writes, "and not run again over the later writer")

	up = newRacy()
	up.afterWrite = otherWriter("user.mine", 100) // every write is undone at once
	_, err = patchConfig(New(up), nil, "user.mine")
	e = apierr.From(err)
	assert.Equal(t, http.StatusConflict, e.Status)
	assert.Contains(t, e.Message, "config differs from what was written (6 attempt(s))")
	assert.Equal(t, writeAttempts, up.writes, "retries are bounded")
}

func TestKeyLocksSerializePerKeyAndForget(t *testing.T) {
	var l keyLocks
	unlock, err := l.lock(context.Background(), "member a")
	require.NoError(t, err)
	other, err := l.lock(context.Background(), "member b")
	require.NoError(t, err, "another key is not blocked")
	other()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = l.lock(ctx, "member a")
	assert.Equal(t, http.StatusGatewayTimeout, apierr.From(err).Status, "a held key waits until the caller's deadline")
	unlock()
	assert.Empty(t, l.held, "released keys are forgotten")
}
