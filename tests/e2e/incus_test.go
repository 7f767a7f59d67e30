// Package e2e drives clustergate over HTTP, through its generated facade
// client, against real upstreams started by the test harnesses.
package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

const adminKey = "e2e-admin-key"

// incusGate starts clustergate against d's socket, with an API key, and
// returns a facade client that sends the key.
func incusGate(t *testing.T, d *lxdtest.Daemon) (*gen.ClientWithResponses, *cgtest.Gate) {
	t.Helper()
	gate := cgtest.Start(t, map[string]string{"INCUS_SOCKET": d.Socket, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	c, err := gen.NewClientWithResponses(gate.URL, gen.WithRequestEditorFn(cgtest.Bearer(adminKey)))
	require.NoError(t, err)
	return c, gate
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func ptr[T any](v T) *T { return &v }

// TestIncusClusterLifecycle enables clustering through clustergate, then
// exercises the configuration, certificate-free and group routes.
// It runs against Incus 6.0 and LXD 5.0.
func TestIncusClusterLifecycle(t *testing.T) {
	for _, k := range lxdtest.Kinds {
		t.Run(k.Name, func(t *testing.T) { testIncusClusterLifecycle(t, k.StartStandalone(t)) })
	}
}

func testIncusClusterLifecycle(t *testing.T, d *lxdtest.Daemon) {
	c, _ := incusGate(t, d)
	x := ctx(t)

	before, err := c.ClustergetWithResponse(x, nil)
	require.NoError(t, err)
	require.Equal(t, 200, before.StatusCode(), string(before.Body))
	assert.False(t, *before.JSON200.Enabled)

	put, err := c.ClusterputWithResponse(x, &gen.ClusterputParams{}, gen.ClusterPut{Enabled: ptr(true), ServerName: ptr(d.Name)})
	require.NoError(t, err)
	require.Equal(t, 200, put.StatusCode(), string(put.Body))
	assert.Equal(t, "Success", *put.JSON200.Status, "the operation was awaited")

	after, err := c.ClustergetWithResponse(x, nil)
	require.NoError(t, err)
	assert.True(t, *after.JSON200.Enabled)
	assert.Equal(t, d.Name, *after.JSON200.ServerName)
	require.NotNil(t, after.Headers200.ETag, "the ETag passes through")

	stale, err := c.ClusterputWithResponse(x, &gen.ClusterputParams{IfMatch: ptr("stale-etag")}, gen.ClusterPut{Enabled: ptr(true), ServerName: ptr(d.Name)})
	require.NoError(t, err)
	assert.Equal(t, 412, stale.StatusCode(), string(stale.Body))
	require.NotNil(t, stale.JSON412)
	assert.Contains(t, stale.JSON412.Message, "changed since it was read")

	grp, err := c.ClustergroupspostWithResponse(x, nil, gen.ClusterGroupsPost{Name: "gpu", Description: ptr("GPU nodes")})
	require.NoError(t, err)
	require.Equal(t, 201, grp.StatusCode(), string(grp.Body))
	assert.Equal(t, "/v1/1-0/cluster/groups/gpu", grp.HTTPResponse.Header.Get("Location"), "a facade route")
	assert.Equal(t, "GPU nodes", *grp.JSON201.Description, "create answers with the group")
	upGroup, _, err := d.Client().GetClusterGroup("gpu")
	require.NoError(t, err, "the group exists upstream")
	assert.Equal(t, "GPU nodes", upGroup.Description)

	dup, err := c.ClustergroupspostWithResponse(x, nil, gen.ClusterGroupsPost{Name: "gpu"})
	require.NoError(t, err)
	assert.Equal(t, 409, dup.StatusCode(), "a duplicate group is the upstream's conflict: %s", dup.Body)

	cert, key := cgtest.SelfSigned(t, "clustergate-e2e")
	rot, err := c.ClusteringupdatecertWithResponse(x, nil, gen.ClusterCertificatePut{ClusterCertificate: &cert, ClusterCertificateKey: &key})
	require.NoError(t, err)
	require.Equal(t, 204, rot.StatusCode(), string(rot.Body))
	srv, _, err := d.Client().GetServer()
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(cert), strings.TrimSpace(srv.Environment.Certificate), "the upstream serves the new certificate")
}

// TestIncusMembers covers listing, join tokens, reads and writes with ETags,
// evacuation, rename and delete on a two-member cluster.
// It runs against Incus 6.0 and LXD 5.0.
func TestIncusMembers(t *testing.T) {
	for _, k := range lxdtest.Kinds {
		t.Run(k.Name, func(t *testing.T) { testIncusMembers(t, k.Start(t)) })
	}
}

func testIncusMembers(t *testing.T, d1 *lxdtest.Daemon) {
	c, _ := incusGate(t, d1)
	x := ctx(t)

	names, err := c.ClustermembersgetWithResponse(x, &gen.ClustermembersgetParams{})
	require.NoError(t, err)
	require.Equal(t, 200, names.StatusCode(), string(names.Body))
	assert.Equal(t, []string{"/v1/1-0/cluster/members/" + d1.Name}, []string(*names.JSON200))

	full, err := c.Clustermembersgetrecursion1WithResponse(x, &gen.Clustermembersgetrecursion1Params{})
	require.NoError(t, err)
	require.Len(t, *full.JSON200, 1)
	assert.Equal(t, d1.Name, *(*full.JSON200)[0].ServerName)
	assert.Equal(t, "Online", *(*full.JSON200)[0].Status)

	tok, err := c.ClustermemberspostWithResponse(x, nil, gen.ClusterMembersPost{ServerName: "joiner"})
	require.NoError(t, err)
	require.Equal(t, 200, tok.StatusCode(), string(tok.Body))
	assert.Equal(t, "joiner", *tok.JSON200.ServerName)
	var decoded struct {
		ServerName string `json:"server_name"`
		Secret     string `json:"secret"`
	}
	raw, err := base64.StdEncoding.DecodeString(tok.JSON200.Token)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &decoded))
	assert.Equal(t, "joiner", decoded.ServerName)
	assert.Equal(t, *tok.JSON200.Secret, decoded.Secret, "the encoded token carries the secret")
	dupTok, err := c.ClustermemberspostWithResponse(x, nil, gen.ClusterMembersPost{ServerName: d1.Name})
	require.NoError(t, err)
	if d1.Kind == lxdtest.Incus {
		assert.Equal(t, http.StatusConflict, dupTok.StatusCode(), string(dupTok.Body))
		assert.Contains(t, errBody(t, dupTok.Body).Message, "The cluster already has a member with name: "+d1.Name)
	} else {
		assert.Equal(t, http.StatusOK, dupTok.StatusCode(), "LXD 5.0 issues a token for a member's name: %s", dupTok.Body)
	}

	memberReadsAndWrites(t, c, d1.Name)
	memberStateRoutes(t, c, d1)

	d2 := lxdtest.Join(t, d1)
	renamed := d2.Name + "-renamed"
	ren, err := c.ClustermemberpostWithResponse(x, d2.Name, nil, gen.ClusterMemberPost{ServerName: renamed})
	require.NoError(t, err)
	require.Equal(t, 200, ren.StatusCode(), string(ren.Body))
	assert.Equal(t, renamed, *ren.JSON200.ServerName, "the member at its new name")
	assert.Equal(t, "/v1/1-0/cluster/members/"+renamed, ren.HTTPResponse.Header.Get("Location"))
	atNew, err := c.ClustermembergetWithResponse(x, renamed, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, atNew.StatusCode(), "Location is served: %s", atNew.Body)
	gone, err := c.ClustermembergetWithResponse(x, d2.Name, nil)
	require.NoError(t, err)
	assert.Equal(t, 404, gone.StatusCode(), "the old name is gone: %s", gone.Body)

	del, err := c.ClustermemberdeleteWithResponse(x, renamed, nil)
	require.NoError(t, err)
	require.Equal(t, 204, del.StatusCode(), string(del.Body))
	again, err := c.ClustermemberdeleteWithResponse(x, renamed, nil)
	require.NoError(t, err)
	assert.Equal(t, 404, again.StatusCode(), string(again.Body))
	assert.Contains(t, again.JSON404.Message, "not found")

	// The last member cannot leave: both daemons say so under a 500, which
	// is the conflict it is. Right after a member left, LXD may still try
	// to reach it ("Unable to promote"): ask again, a bounded number of times.
	var last *gen.ClustermemberdeleteResponse
	for range 20 {
		last, err = c.ClustermemberdeleteWithResponse(x, d1.Name, nil)
		require.NoError(t, err)
		if !strings.Contains(string(last.Body), "Unable to promote") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	assert.Equal(t, http.StatusConflict, last.StatusCode(), string(last.Body))
	assert.Contains(t, last.JSON409.Message, "incus: Member is the only member in the cluster", "the upstream's words")
}

func memberReadsAndWrites(t *testing.T, c *gen.ClientWithResponses, name string) {
	x := ctx(t)
	got, err := c.ClustermembergetWithResponse(x, name, nil)
	require.NoError(t, err)
	require.Equal(t, 200, got.StatusCode(), string(got.Body))
	etag := got.Headers200.ETag
	require.NotNil(t, etag)

	put, err := c.ClustermemberputWithResponse(x, name, &gen.ClustermemberputParams{IfMatch: etag}, gen.ClusterMemberPut{
		Description: ptr("first"), Config: &map[string]string{"scheduler.instance": "all"},
		Groups: got.JSON200.Groups, Roles: got.JSON200.Roles, FailureDomain: got.JSON200.FailureDomain,
	})
	require.NoError(t, err)
	require.Equal(t, 200, put.StatusCode(), string(put.Body))
	assert.Equal(t, "first", *put.JSON200.Description, "a write answers with what it wrote")
	assert.Equal(t, map[string]string{"scheduler.instance": "all"}, *put.JSON200.Config)
	require.NotNil(t, put.Headers200.ETag)
	assert.NotEqual(t, *etag, *put.Headers200.ETag, "and with the new version")

	stale, err := c.ClustermemberputWithResponse(x, name, &gen.ClustermemberputParams{IfMatch: etag}, gen.ClusterMemberPut{Description: ptr("lost")})
	require.NoError(t, err)
	assert.Equal(t, 412, stale.StatusCode(), "the member changed since the ETag was read: %s", stale.Body)

	patch, err := c.ClustermemberpatchWithResponse(x, name, &gen.ClustermemberpatchParams{}, gen.ClusterMemberPut{Description: ptr("patched")})
	require.NoError(t, err)
	require.Equal(t, 200, patch.StatusCode(), string(patch.Body))
	after, err := c.ClustermembergetWithResponse(x, name, nil)
	require.NoError(t, err)
	assert.Equal(t, "patched", *after.JSON200.Description)
	assert.Equal(t, map[string]string{"scheduler.instance": "all"}, *after.JSON200.Config, "PATCH kept what it did not name")
	assert.Equal(t, *after.JSON200, *patch.JSON200, "PATCH answered with the member as it now is")
	assert.Equal(t, *after.Headers200.ETag, *patch.Headers200.ETag)

	stalePatch, err := c.ClustermemberpatchWithResponse(x, name, &gen.ClustermemberpatchParams{IfMatch: etag}, gen.ClusterMemberPut{Description: ptr("lost")})
	require.NoError(t, err)
	assert.Equal(t, 412, stalePatch.StatusCode(), string(stalePatch.Body))

	missing, err := c.ClustermembergetWithResponse(x, "no-such-member", nil)
	require.NoError(t, err)
	assert.Equal(t, 404, missing.StatusCode())
	assert.Equal(t, "incus", *missing.JSON404.Upstream)
}

func memberStateRoutes(t *testing.T, c *gen.ClientWithResponses, d *lxdtest.Daemon) {
	x := ctx(t)
	name := d.Name
	st, err := c.ClustermemberstategetWithResponse(x, name, nil)
	require.NoError(t, err)
	if d.Kind == lxdtest.LXD {
		assert.Equal(t, http.StatusNotImplemented, st.StatusCode(), "LXD 5.0 lacks the extension: %s", st.Body)
		assert.Contains(t, errBody(t, st.Body).Message, "cluster_member_state")
	} else {
		require.Equal(t, http.StatusOK, st.StatusCode(), "Incus 6.0 has the extension: %s", st.Body)
		assert.Positive(t, *st.JSON200.Sysinfo.TotalRAM)
	}

	for _, step := range []struct{ action, status string }{{"evacuate", "Evacuated"}, {"restore", "Online"}} {
		action, status := step.action, step.status
		op, err := c.ClustermemberstatepostWithResponse(x, name, nil, gen.ClusterMemberStatePost{Action: gen.ClusterMemberStatePostAction(action)})
		require.NoError(t, err)
		require.Equal(t, 200, op.StatusCode(), "%s: %s", action, op.Body)
		assert.Equal(t, "Success", *op.JSON200.Status)
		polled, err := c.OperationgetWithResponse(x, *op.JSON200.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, 200, polled.StatusCode(), string(polled.Body))
		m, err := c.ClustermembergetWithResponse(x, name, nil)
		require.NoError(t, err)
		assert.Equal(t, status, *m.JSON200.Status, action)
	}
}
