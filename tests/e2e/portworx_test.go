package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	px "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/osdtest"
)

// portworxGate starts clustergate in front of one SDK server, sending
// upstreamToken (if any) to it.
func portworxGate(t *testing.T, s *osdtest.Server, upstreamToken string) *px.ClientWithResponses {
	t.Helper()
	gate := cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": s.URL(), "PORTWORX_API_KEY": upstreamToken})
	c, err := px.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	return c
}

func pairRequest(remote *osdtest.Server, token string, mode *px.ClusterPairModeMode) px.APISdkClusterPairCreateRequest {
	return px.APISdkClusterPairCreateRequest{Request: px.APIClusterPairCreateRequest{
		RemoteClusterIP: remote.LegacyHost(), RemoteClusterPort: uint32(remote.LegacyPort()),
		RemoteClusterToken: token, Mode: mode,
	}}
}

// TestPortworxClusterPairs pairs two real OpenStorage SDK servers through
// clustergate and walks every cluster-pair route.
func TestPortworxClusterPairs(t *testing.T) {
	a := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-a"})
	b := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-b"})
	ga, gb := portworxGate(t, a, ""), portworxGate(t, b, "")
	x := ctx(t)

	empty, err := ga.OpenstorageclusterpairenumerateWithResponse(x, nil)
	require.NoError(t, err)
	require.Equal(t, 200, empty.StatusCode(), string(empty.Body))
	assert.Nil(t, empty.JSON200.Result.Pairs)

	old, err := gb.OpenstorageclusterpairgettokenWithResponse(x, nil)
	require.NoError(t, err)
	require.Equal(t, 200, old.StatusCode(), string(old.Body))
	reset, err := gb.OpenstorageclusterpairresettokenWithResponse(x, nil, px.APISdkClusterPairResetTokenRequest{})
	require.NoError(t, err)
	require.Equal(t, 200, reset.StatusCode(), string(reset.Body))
	newToken := *reset.JSON200.Result.Token
	assert.NotEqual(t, *old.JSON200.Result.Token, newToken, "reset gives a new token")

	refused, err := ga.OpenstorageclusterpaircreateWithResponse(x, nil, pairRequest(b, *old.JSON200.Result.Token, nil))
	require.NoError(t, err)
	assert.Equal(t, 400, refused.StatusCode(), "the old token was refused by the remote: %s", refused.Body)
	assert.Contains(t, refused.JSON400.Message, "Token mismatch")
	assert.Equal(t, "portworx", *refused.JSON400.Upstream)

	for _, mode := range []px.ClusterPairModeMode{px.DisasterRecovery, px.OneTimeMigration} {
		created, err := ga.OpenstorageclusterpaircreateWithResponse(x, nil, pairRequest(b, newToken, &mode))
		require.NoError(t, err)
		require.Equal(t, 200, created.StatusCode(), string(created.Body))
		assert.Equal(t, b.ClusterID, *created.JSON200.Result.RemoteClusterID)
		assert.Equal(t, "cluster-b", *created.JSON200.Result.RemoteClusterName)

		listed, err := ga.OpenstorageclusterpairenumerateWithResponse(x, nil)
		require.NoError(t, err)
		pair := (*listed.JSON200.Result.Pairs)[b.ClusterID]
		assert.Equal(t, mode, pair.Mode)
		assert.Equal(t, "[REDACTED]", *pair.Token, "the remote's token is not shown")

		got, err := ga.OpenstorageclusterpairinspectWithResponse(x, b.ClusterID, nil)
		require.NoError(t, err)
		require.Equal(t, 200, got.StatusCode(), string(got.Body))
		assert.Equal(t, mode, got.JSON200.Result.PairInfo.Mode)
		assert.Equal(t, "[REDACTED]", *got.JSON200.Result.PairInfo.Token)

		del, err := ga.OpenstorageclusterpairdeleteWithResponse(x, b.ClusterID, nil)
		require.NoError(t, err)
		require.Equal(t, 200, del.StatusCode(), string(del.Body))
	}

	again, err := ga.OpenstorageclusterpairdeleteWithResponse(x, b.ClusterID, nil)
	require.NoError(t, err)
	assert.Equal(t, 404, again.StatusCode(), string(again.Body))
	assert.Contains(t, again.JSON404.Message, "not found")
	missing, err := ga.OpenstorageclusterpairinspectWithResponse(x, b.ClusterID, nil)
	require.NoError(t, err)
	assert.Equal(t, 404, missing.StatusCode(), string(missing.Body))

	defaulted, err := ga.OpenstorageclusterpaircreateWithResponse(x, nil, pairRequest(b, newToken, nil))
	require.NoError(t, err)
	require.Equal(t, 200, defaulted.StatusCode(), string(defaulted.Body))
	got, err := ga.OpenstorageclusterpairinspectWithResponse(x, b.ClusterID, nil)
	require.NoError(t, err)
	assert.Equal(t, px.Default, got.JSON200.Result.PairInfo.Mode, "upstream omits Default; the facade says it")
}

// TestPortworxCreateValidation refuses bad pair requests before any upstream
// call: the upstream here is an address nothing listens on.
func TestPortworxCreateValidation(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": "http://127.0.0.1:9"})
	c, err := px.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	bogus := px.ClusterPairModeMode("Sideways")
	cases := []struct {
		name string
		req  px.APIClusterPairCreateRequest
		want string
	}{
		{"port 0", px.APIClusterPairCreateRequest{RemoteClusterIP: "10.0.0.1", RemoteClusterPort: 0, RemoteClusterToken: "t"}, "remote_cluster_port"},
		{"port too big", px.APIClusterPairCreateRequest{RemoteClusterIP: "10.0.0.1", RemoteClusterPort: 70000, RemoteClusterToken: "t"}, "remote_cluster_port"},
		{"bad mode", px.APIClusterPairCreateRequest{RemoteClusterIP: "10.0.0.1", RemoteClusterPort: 9001, RemoteClusterToken: "t", Mode: &bogus}, "mode"},
		{"bad address", px.APIClusterPairCreateRequest{RemoteClusterIP: "not a host!", RemoteClusterPort: 9001, RemoteClusterToken: "t"}, "remote_cluster_ip"},
		{"no token", px.APIClusterPairCreateRequest{RemoteClusterIP: "10.0.0.1", RemoteClusterPort: 9001}, "remote_cluster_token"},
	}
	for _, tc := range cases {
		resp, err := c.OpenstorageclusterpaircreateWithResponse(ctx(t), nil, px.APISdkClusterPairCreateRequest{Request: tc.req})
		require.NoError(t, err)
		assert.Equal(t, 400, resp.StatusCode(), "%s: %s", tc.name, resp.Body)
		require.NotNil(t, resp.JSON400, tc.name)
		assert.Contains(t, resp.JSON400.Message, tc.want, tc.name)
	}
	down, err := c.OpenstorageclusterpairenumerateWithResponse(ctx(t), nil)
	require.NoError(t, err)
	assert.Equal(t, 503, down.StatusCode(), string(down.Body))
	assert.Contains(t, down.JSON503.Message, "PORTWORX_ENDPOINT")
}

// TestPortworxAuth runs an SDK server with JWT auth on and shows clustergate
// sends its configured token, and maps the upstream's 401 and 403.
func TestPortworxAuth(t *testing.T) {
	s := osdtest.Start(t, osdtest.Options{ClusterName: "secured", JWTSharedSecret: "e2e-shared-secret"})
	x := ctx(t)
	admin := portworxGate(t, s, s.AdminToken(t))
	ok, err := admin.OpenstorageclusterpairgettokenWithResponse(x, nil)
	require.NoError(t, err)
	require.Equal(t, 200, ok.StatusCode(), string(ok.Body))
	assert.NotEmpty(t, *ok.JSON200.Result.Token)

	viewer := portworxGate(t, s, s.Token(t, osdtest.Claims{Subject: "viewer", Roles: []string{"system.view"}}))
	denied, err := viewer.OpenstorageclusterpairgettokenWithResponse(x, nil)
	require.NoError(t, err)
	assert.Equal(t, 403, denied.StatusCode(), string(denied.Body))
	assert.Contains(t, denied.JSON403.Message, "denied")

	garbage := portworxGate(t, s, "not-a-jwt")
	unauth, err := garbage.OpenstorageclusterpairenumerateWithResponse(x, nil)
	require.NoError(t, err)
	assert.Equal(t, 401, unauth.StatusCode(), string(unauth.Body))
	assert.Contains(t, unauth.JSON401.Message, "token issuer")
}
