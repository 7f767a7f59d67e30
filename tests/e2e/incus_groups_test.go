package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
)

// TestIncusGroupsThroughTheFacade: cluster groups created, listed, read,
// patched and replaced with the member rules (answers carry the group and
// its new ETag; one If-Match winner), and deleted, against the sandbox,
// Incus 6.0 and LXD 5.0.
func TestIncusGroupsThroughTheFacade(t *testing.T) {
	for name, start := range incusWriteTargets(t) {
		t.Run(name, func(t *testing.T) {
			c, member := start(t)
			x := ctx(t)
			created, err := c.ClustergroupspostWithResponse(x, nil, gen.ClusterGroupsPost{Name: "gpu", Description: ptr("GPU nodes")})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
			assert.Equal(t, "/v1/1-0/cluster/groups/gpu", created.HTTPResponse.Header.Get("Location"))
			assert.Equal(t, "GPU nodes", *created.JSON201.Description)

			got, err := c.ClustergroupgetWithResponse(x, "gpu", nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
			assert.Equal(t, created.HTTPResponse.Header.Get("ETag"), *got.Headers200.ETag, "create answered with the current version")
			list, err := c.ClustergroupsgetWithResponse(x, nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
			var names []string
			for _, g := range *list.JSON200 {
				names = append(names, *g.Name)
			}
			assert.Equal(t, []string{"default", "gpu"}, names)

			etag := *got.Headers200.ETag
			patched, err := c.ClustergrouppatchWithResponse(x, "gpu", &gen.ClustergrouppatchParams{IfMatch: &etag}, gen.ClusterGroupPut{Description: ptr("GPUs")})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, patched.StatusCode(), string(patched.Body))
			assert.Equal(t, "GPUs", *patched.JSON200.Description)
			stale, err := c.ClustergrouppatchWithResponse(x, "gpu", &gen.ClustergrouppatchParams{IfMatch: &etag}, gen.ClusterGroupPut{Description: ptr("lost")})
			require.NoError(t, err)
			assert.Equal(t, http.StatusPreconditionFailed, stale.StatusCode(), "the facade checks If-Match on groups: %s", stale.Body)
			groupIfMatchWinner(t, c, *patched.Headers200.ETag)

			put, err := c.ClustergroupputWithResponse(x, "gpu", &gen.ClustergroupputParams{}, gen.ClusterGroupPut{Description: ptr("GPUs"), Members: &[]string{member}})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, put.StatusCode(), string(put.Body))
			assert.Equal(t, []string{member}, *put.JSON200.Members)

			busy, err := c.ClustergroupdeleteWithResponse(x, "gpu", nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusConflict, busy.StatusCode(), string(busy.Body))
			assert.Contains(t, errBody(t, busy.Body).Message, "Only empty cluster groups can be removed")
			def, err := c.ClustergroupdeleteWithResponse(x, "default", nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusConflict, def.StatusCode(), string(def.Body))
			assert.Contains(t, errBody(t, def.Body).Message, "The 'default' cluster group cannot be deleted")

			_, err = c.ClustergroupputWithResponse(x, "gpu", &gen.ClustergroupputParams{}, gen.ClusterGroupPut{Members: &[]string{}})
			require.NoError(t, err)
			del, err := c.ClustergroupdeleteWithResponse(x, "gpu", nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusNoContent, del.StatusCode(), string(del.Body))
			gone, err := c.ClustergroupgetWithResponse(x, "gpu", nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusNotFound, gone.StatusCode(), string(gone.Body))
			again, err := c.ClustergroupdeleteWithResponse(x, "gpu", nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusNotFound, again.StatusCode(), string(again.Body))
		})
	}
}

// groupIfMatchWinner: N parallel PATCHes of one group with the same
// If-Match: exactly one 200, the others 412 (the upstreams do not check a
// group's ETag at all; the facade does).
func groupIfMatchWinner(t *testing.T, c *gen.ClientWithResponses, etag string) {
	x := ctx(t)
	statuses := make([]int, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			resp, err := c.ClustergrouppatchWithResponse(x, "gpu", &gen.ClustergrouppatchParams{IfMatch: &etag},
				gen.ClusterGroupPut{Description: ptr(fmt.Sprintf("writer %d", i))})
			if err == nil {
				statuses[i] = resp.StatusCode()
			}
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, st := range statuses {
		count[st]++
	}
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusPreconditionFailed: writers - 1}, count)
}
