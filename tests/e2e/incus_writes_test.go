package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// incusWriteTargets are the Incus upstreams the write tests run against:
// the sandbox, real Incus 6.0 and real LXD 5.0, each behind clustergate,
// with the name of a member to write.
func incusWriteTargets(t *testing.T) map[string]func(t *testing.T) (*gen.ClientWithResponses, string) {
	return map[string]func(t *testing.T) (*gen.ClientWithResponses, string){
		"sandbox": func(t *testing.T) (*gen.ClientWithResponses, string) {
			return writeGate(t, nil), "node2"
		},
		"incus": func(t *testing.T) (*gen.ClientWithResponses, string) {
			d := lxdtest.Incus.Start(t)
			return writeGate(t, map[string]string{"INCUS_SOCKET": d.Socket}), d.Name
		},
		"lxd": func(t *testing.T) (*gen.ClientWithResponses, string) {
			d := lxdtest.LXD.Start(t)
			return writeGate(t, map[string]string{"INCUS_SOCKET": d.Socket}), d.Name
		},
	}
}

// writeGate starts clustergate with env and an admin key, without the
// per-key rate limit (a burst of writers is the point of these tests).
func writeGate(t *testing.T, env map[string]string) *gen.ClientWithResponses {
	full := map[string]string{"CLUSTERGATE_API_KEYS": "admin=" + adminKey, "CLUSTERGATE_RATE_LIMIT": "0"}
	for k, v := range env {
		full[k] = v
	}
	gate := cgtest.Start(t, full)
	c, err := gen.NewClientWithResponses(gate.URL, gen.WithRequestEditorFn(cgtest.Bearer(adminKey)))
	require.NoError(t, err)
	return c
}

// writers and rounds of the concurrency test: enough writers that, without
// the facade's serialization, some would read the same version (the issue
// that reported lost writes used 10 writers and 3 rounds).
const writers, rounds = 10, 3

// TestIncusConcurrentPatchesLoseNothing: N parallel PATCHes of one member,
// each adding its own config key, no If-Match: every one is acknowledged
// (200) and every key is there afterwards; then N parallel PATCHes with the
// same If-Match: exactly one 200, the others 412. Repeated rounds, against
// the sandbox, Incus 6.0 and LXD 5.0.
func TestIncusConcurrentPatchesLoseNothing(t *testing.T) {
	for name, start := range incusWriteTargets(t) {
		t.Run(name, func(t *testing.T) {
			c, member := start(t)
			for round := range rounds {
				distinctKeysAllKept(t, c, member, round)
				oneIfMatchWinner(t, c, member, round)
			}
		})
	}
}

func distinctKeysAllKept(t *testing.T, c *gen.ClientWithResponses, member string, round int) {
	x := ctx(t)
	statuses := make([]int, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			key := fmt.Sprintf("user.r%d.w%d", round, i)
			resp, err := c.ClustermemberpatchWithResponse(x, member, &gen.ClustermemberpatchParams{},
				gen.ClusterMemberPut{Config: &map[string]string{key: "v"}})
			if err == nil {
				statuses[i] = resp.StatusCode()
				if resp.JSON200 != nil && (*resp.JSON200.Config)[key] != "v" {
					statuses[i] = -1 // acknowledged, but the answer lacks the write
				}
			}
		})
	}
	wg.Wait()
	for i, st := range statuses {
		assert.Equal(t, http.StatusOK, st, "round %d writer %d", round, i)
	}
	got, err := c.ClustermembergetWithResponse(x, member, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
	lost := 0
	for i := range writers {
		if (*got.JSON200.Config)[fmt.Sprintf("user.r%d.w%d", round, i)] != "v" {
			lost++
		}
	}
	assert.Zero(t, lost, "round %d: acknowledged writes missing from the member", round)
}

func oneIfMatchWinner(t *testing.T, c *gen.ClientWithResponses, member string, round int) {
	x := ctx(t)
	cur, err := c.ClustermembergetWithResponse(x, member, nil)
	require.NoError(t, err)
	require.NotNil(t, cur.Headers200.ETag)
	etag := *cur.Headers200.ETag
	statuses := make([]int, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			desc := fmt.Sprintf("round %d writer %d", round, i)
			resp, err := c.ClustermemberpatchWithResponse(x, member, &gen.ClustermemberpatchParams{IfMatch: &etag},
				gen.ClusterMemberPut{Description: &desc})
			if err == nil {
				statuses[i] = resp.StatusCode()
			}
		})
	}
	wg.Wait()
	count := map[int]int{}
	winner := -1
	for i, st := range statuses {
		count[st]++
		if st == http.StatusOK {
			winner = i
		}
	}
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusPreconditionFailed: writers - 1}, count, "round %d: statuses", round)
	after, err := c.ClustermembergetWithResponse(x, member, nil)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("round %d writer %d", round, winner), *after.JSON200.Description, "the winner's write is the one kept")
	assert.NotEqual(t, etag, *after.Headers200.ETag)
}
