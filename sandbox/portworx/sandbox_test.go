package portworx

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/openstorage"
	"github.com/clustergate/clustergate/internal/apierr"
)

func request(s *Sandbox, token string) openstorage.APIClusterPairCreateRequest {
	ip, port := s.Address()
	return openstorage.APIClusterPairCreateRequest{RemoteClusterIP: &ip, RemoteClusterPort: &port, RemoteClusterToken: &token}
}

// TestWorld: two distinct clusters with real-looking ids, reproducible from
// one World to the next.
func TestWorld(t *testing.T) {
	a, b := NewWorld(), NewWorld()
	x := context.Background()
	assert.Regexp(t, `^osd-[0-9a-f]{16}$`, a.A().ClusterID())
	assert.NotEqual(t, a.A().ClusterID(), a.B().ClusterID())
	assert.Equal(t, a.B().ClusterID(), b.B().ClusterID())
	ta, _ := a.A().GetToken(x)
	tb, _ := b.A().GetToken(x)
	assert.Equal(t, ta, tb)
	ra, _ := a.A().ResetToken(x)
	rb, _ := b.A().ResetToken(x)
	assert.Equal(t, ra, rb)
	assert.Equal(t, "cluster-b", New().Peer().ClusterName())
	assert.Equal(t, a.A().ClusterID(), a.B().Peer().ClusterID())
}

// TestBothDirections: each cluster records its own pairs; B can pair with A
// too.
func TestBothDirections(t *testing.T) {
	w, x := NewWorld(), context.Background()
	tb, _ := w.B().GetToken(x)
	ta, _ := w.A().GetToken(x)
	_, err := w.A().Create(x, request(w.B(), tb))
	require.NoError(t, err)
	res, err := w.B().Create(x, request(w.A(), ta))
	require.NoError(t, err)
	assert.Equal(t, "cluster-a", *res.RemoteClusterName)
	for _, s := range []*Sandbox{w.A(), w.B()} {
		l, err := s.Enumerate(x)
		require.NoError(t, err)
		assert.Len(t, *l.Pairs, 1)
		assert.Equal(t, s.Peer().ClusterID(), *l.DefaultID)
	}
	_, err = w.A().Create(x, openstorage.APIClusterPairCreateRequest{})
	assert.Equal(t, http.StatusBadGateway, apierr.From(err).Status, "nothing listens at :0")
}

// TestAnswersAreCopies: changing a listing changes nothing inside.
func TestAnswersAreCopies(t *testing.T) {
	w, x := NewWorld(), context.Background()
	tb, _ := w.B().GetToken(x)
	_, err := w.A().Create(x, request(w.B(), tb))
	require.NoError(t, err)
	l, err := w.A().Enumerate(x)
	require.NoError(t, err)
	p := (*l.Pairs)[w.B().ClusterID()]
	*p.Token = "mutated"
	got, err := w.A().Inspect(x, w.B().ClusterID())
	require.NoError(t, err)
	assert.Equal(t, tb, *got.Token)
}

// TestConcurrentUse: pairing, listing and token resets at once stay
// consistent (run with -race). Loops are bounded in count.
func TestConcurrentUse(t *testing.T) {
	w := NewWorld()
	x, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 100 {
				tb, _ := w.B().GetToken(x)
				if _, err := w.A().Create(x, request(w.B(), tb)); err != nil {
					assert.Contains(t, err.Error(), "Token mismatch", "only a concurrent reset refuses")
				}
				_, err := w.A().Enumerate(x)
				assert.NoError(t, err)
				if g == 0 {
					_, _ = w.B().ResetToken(x)
				}
				_ = w.A().Delete(x, w.B().ClusterID())
			}
		})
	}
	wg.Wait()
}
