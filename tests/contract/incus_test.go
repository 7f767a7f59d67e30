package contract

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	incusadapter "github.com/clustergate/clustergate/adapters/incus"
	incushandlers "github.com/clustergate/clustergate/handlers/incus"
	incussandbox "github.com/clustergate/clustergate/sandbox/incus"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// incusEnv is one Incus upstream under contract.
type incusEnv struct {
	up   incushandlers.Upstream
	caps incusCaps
	// spare returns a member other than the one up answers as, that the
	// test may rename or delete (the LXD variant joins a daemon for it).
	spare func(t *testing.T) string
}

// incusCaps are the documented differences between the Incus the sandbox
// follows and the LXD 5.0 the real variant runs (Debian's lxd package).
type incusCaps struct {
	// MemberState: GET member state works. LXD 5.0 lacks the
	// cluster_member_state API extension; the adapter answers 501 naming it.
	MemberState bool
	// Filters: member listings honour their filter. LXD 5.0 ignores the
	// filter parameter and lists every member.
	Filters bool
	// NameChecks: join tokens are refused for names Incus's IsAPIName
	// rejects (400 "Invalid cluster member name"), as Incus 6.23 does.
	// Incus 6.0 and LXD 5.0 issue them.
	NameChecks bool
	// Pools: the member has storage pools to report. A fresh daemon has
	// none; the sandbox has one.
	Pools bool
	// GroupConfig: cluster groups keep a config map (and their ETag hashes
	// it), as in Incus 6.23. Incus 6.0 and LXD 5.0 drop a group's config
	// and hash only its description and members.
	GroupConfig bool
	// DuplicateNames: a join token for an existing member's name is refused
	// (409 "The cluster already has a member with name"). LXD 5.0 issues it.
	DuplicateNames bool
}

// incusVariants are the clustered Incus upstreams: the sandbox's three
// members, and real Incus 6.0 and LXD 5.0 daemons bootstrapped as one-member
// clusters.
var incusVariants = []variant[incusEnv]{
	{"sandbox", func(t *testing.T) incusEnv {
		return incusEnv{up: incussandbox.New(), spare: func(*testing.T) string { return incussandbox.DefaultMembers[2] },
			caps: incusCaps{MemberState: true, Filters: true, NameChecks: true, Pools: true, GroupConfig: true, DuplicateNames: true}}
	}},
	{"incus", func(t *testing.T) incusEnv {
		d := lxdtest.Incus.Start(t)
		return incusEnv{up: lxdAdapter(d), spare: func(t *testing.T) string { return lxdtest.Join(t, d).Name },
			caps: incusCaps{MemberState: true, Filters: true, DuplicateNames: true}}
	}},
	{"lxd", func(t *testing.T) incusEnv {
		d := lxdtest.Start(t)
		return incusEnv{up: lxdAdapter(d), spare: func(t *testing.T) string { return lxdtest.Join(t, d).Name },
			caps: incusCaps{}}
	}},
}

// incusStandalone are Incus upstreams that are not clustered yet.
var incusStandalone = []variant[incushandlers.Upstream]{
	{"sandbox", func(*testing.T) incushandlers.Upstream { return incussandbox.NewStandalone() }},
	{"incus", func(t *testing.T) incushandlers.Upstream { return lxdAdapter(lxdtest.Incus.StartStandalone(t)) }},
	{"lxd", func(t *testing.T) incushandlers.Upstream { return lxdAdapter(lxdtest.StartStandalone(t)) }},
}

func lxdAdapter(d *lxdtest.Daemon) *incusadapter.Adapter {
	return incusadapter.New(incusadapter.Config{Socket: d.Socket, Wait: 30 * time.Second})
}

// TestIncusClusterConfig: the configuration of a clustered server, its
// ETag, and what re-bootstrapping it answers.
func TestIncusClusterConfig(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		c, etag, err := env.up.GetCluster(x)
		require.NoError(t, err)
		assert.True(t, c.Enabled)
		assert.NotEmpty(t, c.ServerName)
		assert.NotNil(t, c.MemberConfig)
		assert.Equal(t, `"`+hashOf(t, c)+`"`, etag, "the ETag (header, quoted) is the hash of the cluster")

		_, _, err = env.up.UpdateCluster(x, api.ClusterPut{Cluster: api.Cluster{Enabled: true}}, "")
		requireError(t, err, "incus", http.StatusBadRequest, "incus: ServerName is required when enabling clustering")
		_, _, err = env.up.UpdateCluster(x, api.ClusterPut{Cluster: api.Cluster{ServerName: c.ServerName}}, "")
		requireError(t, err, "incus", http.StatusBadRequest, "incus: ServerName must be empty when disabling clustering")
		// Bootstrapping again fails the operation; the ETag is not checked
		// on this route (the facade checks If-Match itself).
		_, _, err = env.up.UpdateCluster(x, api.ClusterPut{Cluster: api.Cluster{ServerName: c.ServerName, Enabled: true}}, "stale")
		requireError(t, err, "incus", http.StatusConflict,
			"incus: update cluster failed: Inconsistent state: found leftover cluster certificate")
		_, after, err := env.up.GetCluster(x)
		require.NoError(t, err)
		assert.Equal(t, etag, after, "nothing changed")
	})
}

// TestIncusBootstrap: UpdateCluster on a standalone server makes it a
// one-member cluster, through an operation awaited to Success.
func TestIncusBootstrap(t *testing.T) {
	run(t, incusStandalone, func(t *testing.T, up incushandlers.Upstream) {
		x := ctx(t)
		before, _, err := up.GetCluster(x)
		require.NoError(t, err)
		assert.False(t, before.Enabled)
		assert.Empty(t, before.ServerName)

		op, done, err := up.UpdateCluster(x, api.ClusterPut{Cluster: api.Cluster{ServerName: "boot1", Enabled: true}}, "")
		require.NoError(t, err)
		assert.True(t, done)
		assert.Equal(t, "Success", op.Status)
		assert.Equal(t, api.Success, op.StatusCode)
		polled, err := up.GetOperation(x, op.ID)
		require.NoError(t, err)
		assert.Equal(t, op.ID, polled.ID)
		assert.Equal(t, "Success", polled.Status)

		after, _, err := up.GetCluster(x)
		require.NoError(t, err)
		assert.True(t, after.Enabled)
		assert.Equal(t, "boot1", after.ServerName)
		members, err := up.Members(x, "")
		require.NoError(t, err)
		require.Len(t, members, 1)
		assert.Equal(t, "boot1", members[0].ServerName)
		assert.Equal(t, "Online", members[0].Status)
		assert.Contains(t, members[0].Roles, "database-leader")
		assert.Equal(t, []string{"default"}, members[0].Groups)
	})
}

// TestIncusCertificate: the certificate must be PEM; a new one replaces
// the cluster certificate, whose fingerprint join tokens then carry.
func TestIncusCertificate(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		err := env.up.UpdateCertificate(x, api.ClusterCertificatePut{ClusterCertificate: "garbage", ClusterCertificateKey: "garbage"}, "")
		requireError(t, err, "incus", http.StatusBadRequest, "incus: Certificate must be base64 encoded PEM certificate")

		cert, key := cgtest.SelfSigned(t, "clustergate-contract")
		require.NoError(t, env.up.UpdateCertificate(x, api.ClusterCertificatePut{ClusterCertificate: cert, ClusterCertificateKey: key}, ""))
		tok, err := env.up.CreateJoinToken(x, api.ClusterMembersPost{ServerName: "after-rotation"})
		require.NoError(t, err)
		block, _ := pem.Decode([]byte(cert))
		sum := sha256.Sum256(block.Bytes)
		assert.Equal(t, hex.EncodeToString(sum[:]), tok.Fingerprint, "tokens name the new certificate")
	})
}

// TestIncusJoinTokens: a token is complete, encodes itself, expires in
// hours, and every request gets a fresh secret.
func TestIncusJoinTokens(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		members, err := env.up.Members(x, "")
		require.NoError(t, err)
		hosts := map[string]bool{}
		for _, m := range members {
			hosts[m.URL[len("https://"):]] = true
		}
		tok, err := env.up.CreateJoinToken(x, api.ClusterMembersPost{ServerName: "joiner"})
		require.NoError(t, err)
		assert.Equal(t, "joiner", tok.ServerName)
		assert.Regexp(t, hex64, tok.Secret)
		assert.Regexp(t, hex64, tok.Fingerprint)
		require.NotEmpty(t, tok.Addresses)
		for _, a := range tok.Addresses {
			assert.True(t, hosts[a], "address %s is a member's", a)
		}
		assert.WithinDuration(t, time.Now().Add(3*time.Hour), tok.ExpiresAt, 10*time.Minute, "the default expiry is 3h")
		raw, err := base64.StdEncoding.DecodeString(tok.String())
		require.NoError(t, err)
		var decoded api.ClusterMemberJoinToken
		require.NoError(t, json.Unmarshal(raw, &decoded))
		assert.Equal(t, tok.Secret, decoded.Secret)

		again, err := env.up.CreateJoinToken(x, api.ClusterMembersPost{ServerName: "joiner"})
		require.NoError(t, err)
		assert.NotEqual(t, tok.Secret, again.Secret)
		assert.Equal(t, tok.Fingerprint, again.Fingerprint)

		_, err = env.up.CreateJoinToken(x, api.ClusterMembersPost{ServerName: ""})
		if env.caps.NameChecks {
			requireError(t, err, "incus", http.StatusBadRequest, "incus: Invalid cluster member name")
		} else {
			assert.NoError(t, err, "Incus 6.0 and LXD 5.0 issue a token for any name")
		}

		c, _, err := env.up.GetCluster(x)
		require.NoError(t, err)
		_, err = env.up.CreateJoinToken(x, api.ClusterMembersPost{ServerName: c.ServerName})
		if env.caps.DuplicateNames {
			requireError(t, err, "incus", http.StatusConflict, "incus: The cluster already has a member with name: "+c.ServerName)
		} else {
			assert.NoError(t, err, "LXD 5.0 issues a token for a member's own name")
		}
	})
}
