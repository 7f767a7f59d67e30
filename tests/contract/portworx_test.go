package contract

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	portworxadapter "github.com/clustergate/clustergate/adapters/portworx"
	"github.com/clustergate/clustergate/generated/openstorage"
	portworxhandlers "github.com/clustergate/clustergate/handlers/portworx"
	portworxsandbox "github.com/clustergate/clustergate/sandbox/portworx"
	"github.com/clustergate/clustergate/tests/osdtest"
)

// pxCluster is one OpenStorage cluster of a variant: its SDK, and what a
// peer's pair request names.
type pxCluster struct {
	up       portworxhandlers.Upstream
	ip       string
	port     uint32
	id, name string
}

// pxEnv is two clusters that can pair: local (the one clustergate serves)
// and remote.
type pxEnv struct{ local, remote pxCluster }

var pxVariants = []variant[pxEnv]{
	{"sandbox", func(*testing.T) pxEnv {
		w := portworxsandbox.NewWorld()
		side := func(s *portworxsandbox.Sandbox) pxCluster {
			ip, port := s.Address()
			return pxCluster{up: s, ip: ip, port: port, id: s.ClusterID(), name: s.ClusterName()}
		}
		return pxEnv{local: side(w.A()), remote: side(w.B())}
	}},
	{"osd", func(t *testing.T) pxEnv {
		side := func(name string) pxCluster {
			s := osdtest.Start(t, osdtest.Options{ClusterName: name})
			a, err := portworxadapter.New(portworxadapter.Config{Endpoint: s.URL(), Timeout: 20 * time.Second})
			require.NoError(t, err)
			return pxCluster{up: a, ip: s.LegacyHost(), port: uint32(s.LegacyPort()), id: s.ClusterID, name: s.ClusterName}
		}
		return pxEnv{local: side("cluster-a"), remote: side("cluster-b")}
	}},
}

// pairWith is a pair request naming c with token.
func pairWith(c pxCluster, token string, mode openstorage.ClusterPairModeMode) openstorage.APIClusterPairCreateRequest {
	req := openstorage.APIClusterPairCreateRequest{RemoteClusterIP: &c.ip, RemoteClusterPort: &c.port, RemoteClusterToken: &token}
	if mode != "" {
		req.Mode = &mode
	}
	return req
}

// TestPortworxTokens: a cluster's pairing token is 128 hex digits, stable
// until reset, and reset gives a new one.
func TestPortworxTokens(t *testing.T) {
	run(t, pxVariants, func(t *testing.T, env pxEnv) {
		x := ctx(t)
		tok, err := env.local.up.GetToken(x)
		require.NoError(t, err)
		assert.Regexp(t, `^[0-9a-f]{128}$`, tok)
		again, err := env.local.up.GetToken(x)
		require.NoError(t, err)
		assert.Equal(t, tok, again)
		reset, err := env.local.up.ResetToken(x)
		require.NoError(t, err)
		assert.Regexp(t, `^[0-9a-f]{128}$`, reset)
		assert.NotEqual(t, tok, reset)
		now, err := env.local.up.GetToken(x)
		require.NoError(t, err)
		assert.Equal(t, reset, now)
	})
}

// TestPortworxPairing: the pairing flow, and what a listing shows.
func TestPortworxPairing(t *testing.T) {
	run(t, pxVariants, func(t *testing.T, env pxEnv) {
		x := ctx(t)
		empty, err := env.local.up.Enumerate(x)
		require.NoError(t, err)
		assert.Nil(t, empty.Pairs, "no pairs: {\"result\":{}}")
		assert.Nil(t, empty.DefaultID)

		token, err := env.remote.up.GetToken(x)
		require.NoError(t, err)
		created, err := env.local.up.Create(x, pairWith(env.remote, token, openstorage.DisasterRecovery))
		require.NoError(t, err)
		assert.Equal(t, env.remote.id, *created.RemoteClusterID)
		assert.Equal(t, env.remote.name, *created.RemoteClusterName)

		list, err := env.local.up.Enumerate(x)
		require.NoError(t, err)
		require.NotNil(t, list.Pairs)
		require.Len(t, *list.Pairs, 1)
		assert.Equal(t, env.remote.id, *list.DefaultID, "the first pair is the default")
		want := openstorage.APIClusterPairInfo{ID: &env.remote.id, Name: &env.remote.name, Token: &token,
			Endpoint: new("http://" + hostPort(env.remote.ip, env.remote.port) + "/"), Mode: new(openstorage.DisasterRecovery)}
		assert.Equal(t, want, (*list.Pairs)[env.remote.id])
		got, err := env.local.up.Inspect(x, env.remote.id)
		require.NoError(t, err)
		assert.Equal(t, want, *got)

		remoteList, err := env.remote.up.Enumerate(x)
		require.NoError(t, err)
		assert.Nil(t, remoteList.Pairs, "pairing is one-directional")

		_, err = env.local.up.Create(x, pairWith(env.remote, token, openstorage.OneTimeMigration))
		require.NoError(t, err, "pairing again with a paired cluster succeeds")
		got, err = env.local.up.Inspect(x, env.remote.id)
		require.NoError(t, err)
		assert.Equal(t, want, *got, "and keeps the pair as it was")

		require.NoError(t, env.local.up.Delete(x, env.remote.id))
		list, err = env.local.up.Enumerate(x)
		require.NoError(t, err)
		assert.Nil(t, list.Pairs)
		assert.Nil(t, list.DefaultID, "the default went with its pair")

		_, err = env.local.up.Create(x, pairWith(env.remote, token, openstorage.Default))
		require.NoError(t, err)
		got, err = env.local.up.Inspect(x, env.remote.id)
		require.NoError(t, err)
		assert.Nil(t, got.Mode, "the server omits the Default mode")
	})
}

// TestPortworxRefusals: the errors of create, inspect and delete, with the
// statuses the adapter maps the server's code-13 messages to.
func TestPortworxRefusals(t *testing.T) {
	run(t, pxVariants, func(t *testing.T, env pxEnv) {
		x := ctx(t)
		old, err := env.remote.up.GetToken(x)
		require.NoError(t, err)
		fresh, err := env.remote.up.ResetToken(x)
		require.NoError(t, err)
		prefix := "portworx: Cannot create cluster with remote pair " + env.remote.ip + " : Error from remote cluster: "
		_, err = env.local.up.Create(x, pairWith(env.remote, old, ""))
		msg := requireError(t, err, "portworx", http.StatusBadRequest)
		assert.Equal(t, prefix+"Token mismatch during pairing", msg, "the token before the reset no longer pairs")
		_, err = env.local.up.Create(x, pairWith(env.remote, fresh, ""))
		require.NoError(t, err)

		own, err := env.local.up.GetToken(x)
		require.NoError(t, err)
		_, err = env.local.up.Create(x, pairWith(env.local, own, ""))
		requireError(t, err, "portworx", http.StatusBadRequest, "Error from remote cluster: Cannot create cluster pair with self")

		nowhere := pxCluster{ip: "127.0.0.1", port: 9}
		_, err = env.local.up.Create(x, pairWith(nowhere, fresh, ""))
		msg = requireError(t, err, "portworx", http.StatusBadGateway)
		assert.Equal(t, `portworx: Cannot create cluster with remote pair 127.0.0.1 : Error from remote cluster: `+
			`Error: Post "http://127.0.0.1:9/v1/cluster/pair": dial tcp 127.0.0.1:9: connect: connection refused`, msg)

		const ghost = "osd-0000000000000000"
		_, err = env.local.up.Inspect(x, ghost)
		msg = requireError(t, err, "portworx", http.StatusNotFound)
		assert.Equal(t, "portworx: Cannot Get cluster information for "+ghost+" : Cluster pair for id "+ghost+" not found", msg)
		err = env.local.up.Delete(x, ghost)
		msg = requireError(t, err, "portworx", http.StatusNotFound)
		assert.Equal(t, "portworx: Cannot delete the cluster pair "+ghost+" : Key not found", msg)
		_, err = env.local.up.Inspect(x, "")
		requireError(t, err, "portworx", http.StatusBadRequest, "portworx: Must supply cluster ID")
		err = env.local.up.Delete(x, "")
		requireError(t, err, "portworx", http.StatusBadRequest, "portworx: Must supply valid cluster ID")
	})
}
