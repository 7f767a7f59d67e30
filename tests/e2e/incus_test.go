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
func TestIncusClusterLifecycle(t *testing.T) {
	d := lxdtest.StartStandalone(t)
	c, _ := incusGate(t, d)
	x := ctx(t)

	before, err := c.ClustergetWithResponse(x)
	require.NoError(t, err)
	require.Equal(t, 200, before.StatusCode(), string(before.Body))
	assert.False(t, *before.JSON200.Enabled)

	put, err := c.ClusterputWithResponse(x, &gen.ClusterputParams{}, gen.ClusterPut{Enabled: ptr(true), ServerName: ptr(d.Name)})
	require.NoError(t, err)
	require.Equal(t, 200, put.StatusCode(), string(put.Body))
	assert.Equal(t, "Success", *put.JSON200.Status, "the operation was awaited")

	after, err := c.ClustergetWithResponse(x)
	require.NoError(t, err)
	assert.True(t, *after.JSON200.Enabled)
	assert.Equal(t, d.Name, *after.JSON200.ServerName)
	require.NotNil(t, after.Headers200.ETag, "the ETag passes through")

	stale, err := c.ClusterputWithResponse(x, &gen.ClusterputParams{IfMatch: ptr("stale-etag")}, gen.ClusterPut{Enabled: ptr(true), ServerName: ptr(d.Name)})
	require.NoError(t, err)
	assert.Equal(t, 412, stale.StatusCode(), string(stale.Body))
	require.NotNil(t, stale.JSON412)
	assert.Contains(t, stale.JSON412.Message, "changed since it was read")

	grp, err := c.ClustergroupspostWithResponse(x, gen.ClusterGroupsPost{Name: "gpu", Description: ptr("GPU nodes")})
	require.NoError(t, err)
	require.Equal(t, 201, grp.StatusCode(), string(grp.Body))
	assert.Equal(t, "/1.0/cluster/groups/gpu", grp.HTTPResponse.Header.Get("Location"))
	upGroup, _, err := d.Client().GetClusterGroup("gpu")
	require.NoError(t, err, "the group exists upstream")
	assert.Equal(t, "GPU nodes", upGroup.Description)

	dup, err := c.ClustergroupspostWithResponse(x, gen.ClusterGroupsPost{Name: "gpu"})
	require.NoError(t, err)
	assert.Equal(t, 409, dup.StatusCode(), "a duplicate group is the upstream's conflict: %s", dup.Body)

	cert, key := cgtest.SelfSigned(t, "clustergate-e2e")
	rot, err := c.ClusteringupdatecertWithResponse(x, gen.ClusterCertificatePut{ClusterCertificate: &cert, ClusterCertificateKey: &key})
	require.NoError(t, err)
	require.Equal(t, 204, rot.StatusCode(), string(rot.Body))
	srv, _, err := d.Client().GetServer()
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(cert), strings.TrimSpace(srv.Environment.Certificate), "the upstream serves the new certificate")
}

// TestIncusMembers covers listing, join tokens, reads and writes with ETags,
// evacuation, rename and delete on a two-member cluster.
func TestIncusMembers(t *testing.T) {
	d1 := lxdtest.Start(t)
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

	tok, err := c.ClustermemberspostWithResponse(x, gen.ClusterMembersPost{ServerName: "joiner"})
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

	memberReadsAndWrites(t, c, d1.Name)
	memberStateRoutes(t, c, d1.Name)

	d2 := lxdtest.Join(t, d1)
	renamed := d2.Name + "-renamed"
	ren, err := c.ClustermemberpostWithResponse(x, d2.Name, gen.ClusterMemberPost{ServerName: renamed})
	require.NoError(t, err)
	require.Equal(t, 204, ren.StatusCode(), string(ren.Body))
	gone, err := c.ClustermembergetWithResponse(x, d2.Name)
	require.NoError(t, err)
	assert.Equal(t, 404, gone.StatusCode(), "the old name is gone: %s", gone.Body)

	del, err := c.ClustermemberdeleteWithResponse(x, renamed)
	require.NoError(t, err)
	require.Equal(t, 204, del.StatusCode(), string(del.Body))
	again, err := c.ClustermemberdeleteWithResponse(x, renamed)
	require.NoError(t, err)
	assert.Equal(t, 404, again.StatusCode(), string(again.Body))
	assert.Contains(t, again.JSON404.Message, "not found")
}

func memberReadsAndWrites(t *testing.T, c *gen.ClientWithResponses, name string) {
	x := ctx(t)
	got, err := c.ClustermembergetWithResponse(x, name)
	require.NoError(t, err)
	require.Equal(t, 200, got.StatusCode(), string(got.Body))
	etag := got.Headers200.ETag
	require.NotNil(t, etag)

	put, err := c.ClustermemberputWithResponse(x, name, &gen.ClustermemberputParams{IfMatch: etag}, gen.ClusterMemberPut{
		Description: ptr("first"), Config: &map[string]string{"scheduler.instance": "all"},
		Groups: got.JSON200.Groups, Roles: got.JSON200.Roles, FailureDomain: got.JSON200.FailureDomain,
	})
	require.NoError(t, err)
	require.Equal(t, 204, put.StatusCode(), string(put.Body))

	stale, err := c.ClustermemberputWithResponse(x, name, &gen.ClustermemberputParams{IfMatch: etag}, gen.ClusterMemberPut{Description: ptr("lost")})
	require.NoError(t, err)
	assert.Equal(t, 412, stale.StatusCode(), "the member changed since the ETag was read: %s", stale.Body)

	patch, err := c.ClustermemberpatchWithResponse(x, name, &gen.ClustermemberpatchParams{}, gen.ClusterMemberPut{Description: ptr("patched")})
	require.NoError(t, err)
	require.Equal(t, 204, patch.StatusCode(), string(patch.Body))
	after, err := c.ClustermembergetWithResponse(x, name)
	require.NoError(t, err)
	assert.Equal(t, "patched", *after.JSON200.Description)
	assert.Equal(t, map[string]string{"scheduler.instance": "all"}, *after.JSON200.Config, "PATCH kept what it did not name")

	stalePatch, err := c.ClustermemberpatchWithResponse(x, name, &gen.ClustermemberpatchParams{IfMatch: etag}, gen.ClusterMemberPut{Description: ptr("lost")})
	require.NoError(t, err)
	assert.Equal(t, 412, stalePatch.StatusCode(), string(stalePatch.Body))

	missing, err := c.ClustermembergetWithResponse(x, "no-such-member")
	require.NoError(t, err)
	assert.Equal(t, 404, missing.StatusCode())
	assert.Equal(t, "incus", *missing.JSON404.Upstream)
}

func memberStateRoutes(t *testing.T, c *gen.ClientWithResponses, name string) {
	x := ctx(t)
	st, err := c.ClustermemberstategetWithResponse(x, name)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotImplemented, st.StatusCode(), "LXD 5.0 lacks the extension: %s", st.Body)
	assert.Contains(t, st.JSONDefault.Message, "cluster_member_state")

	for _, step := range []struct{ action, status string }{{"evacuate", "Evacuated"}, {"restore", "Online"}} {
		action, status := step.action, step.status
		op, err := c.ClustermemberstatepostWithResponse(x, name, gen.ClusterMemberStatePost{Action: gen.ClusterMemberStatePostAction(action)})
		require.NoError(t, err)
		require.Equal(t, 200, op.StatusCode(), "%s: %s", action, op.Body)
		assert.Equal(t, "Success", *op.JSON200.Status)
		polled, err := c.OperationgetWithResponse(x, *op.JSON200.ID)
		require.NoError(t, err)
		assert.Equal(t, 200, polled.StatusCode(), string(polled.Body))
		m, err := c.ClustermembergetWithResponse(x, name)
		require.NoError(t, err)
		assert.Equal(t, status, *m.JSON200.Status, action)
	}
}
