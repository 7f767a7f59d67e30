package lxdtest_test

import (
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/lxdtest"
)

// TestStartAndJoin checks the harness end to end against a real daemon: a
// started daemon is a one-member cluster, and Join grows it to two.
func TestStartAndJoin(t *testing.T) {
	for _, k := range lxdtest.Kinds {
		t.Run(k.Name, func(t *testing.T) { testStartAndJoin(t, k) })
	}
}

func testStartAndJoin(t *testing.T, k *lxdtest.Kind) {
	begin := time.Now()
	d := k.Start(t)
	t.Logf("started %s at %s in %v (dir %s)", d.Name, d.Addr, time.Since(begin), d.Dir)

	require.Less(t, len(d.Socket), 108, "unix socket path must fit sun_path")
	require.NotEmpty(t, d.Addr)

	cluster, _, err := d.Client().GetCluster()
	require.NoError(t, err)
	require.True(t, cluster.Enabled, "clustering should be enabled")
	require.Equal(t, d.Name, cluster.ServerName)

	names, err := d.Client().GetClusterMemberNames()
	require.NoError(t, err)
	require.Len(t, names, 1, "members: %v", names)

	begin = time.Now()
	d2 := lxdtest.Join(t, d)
	t.Logf("joined %s at %s in %v", d2.Name, d2.Addr, time.Since(begin))
	require.NotEqual(t, d.Dir, d2.Dir)
	require.Equal(t, k, d2.Kind, "a joiner is of its leader's kind")

	for _, srv := range []*lxdtest.Daemon{d, d2} {
		names, err := srv.Client().GetClusterMemberNames()
		require.NoError(t, err)
		require.Len(t, names, 2, "members seen by %s: %v", srv.Name, names)
	}
}

// TestStartStandalone checks that a standalone daemon has HTTPS but is not
// clustered, and that bootstrapping with its Name works, as tests that enable
// clustering through the code under test rely on.
func TestStartStandalone(t *testing.T) {
	for _, k := range lxdtest.Kinds {
		t.Run(k.Name, func(t *testing.T) { testStartStandalone(t, k) })
	}
}

func testStartStandalone(t *testing.T, k *lxdtest.Kind) {
	d := k.StartStandalone(t)
	require.NotEmpty(t, d.Addr)

	c := d.Client()
	cluster, _, err := c.GetCluster()
	require.NoError(t, err)
	require.False(t, cluster.Enabled)

	op, err := c.UpdateCluster(api.ClusterPut{Cluster: api.Cluster{ServerName: d.Name, Enabled: true}}, "")
	require.NoError(t, err)
	require.NoError(t, op.Wait())
	names, err := c.GetClusterMemberNames()
	require.NoError(t, err)
	require.Equal(t, []string{d.Name}, names)
}
