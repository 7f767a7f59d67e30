package capi

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	"github.com/clustergate/clustergate/internal/apierr"
)

// clock is a test clock moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func request(name string) capiadapter.CreateRequest {
	two := int32(2)
	return capiadapter.CreateRequest{Name: name, Class: TemplateName, Version: "v1.36.3",
		Workers: []capiadapter.Worker{{Class: "default-worker", Name: "md-0", Replicas: &two}}, Variables: map[string]any{"region": "us"}}
}

// TestSeed: a new sandbox has the template and a provisioned demo cluster
// with a kubeconfig.
func TestSeed(t *testing.T) {
	s, x := New(), context.Background()
	d, err := s.GetCluster(x, Namespace, DemoCluster)
	require.NoError(t, err)
	assert.Equal(t, "Provisioned", d.Cluster.Status.Phase)
	assert.Equal(t, map[string]string{"environment": "demo"}, d.Cluster.Labels)
	assert.Len(t, d.MachineDeployments, 2)
	_, err = s.Kubeconfig(x, Namespace, DemoCluster)
	require.NoError(t, err)
	tpls, err := s.ListTemplates(x, "")
	require.NoError(t, err)
	require.Len(t, tpls, 1)
	assert.Equal(t, TemplateName, tpls[0].Class.Name)
}

// TestPhasesFollowTheClock: Provisioning, infrastructure ready, then
// Provisioned, each read computed from the clock, with a stable
// resourceVersion between phase changes.
func TestPhasesFollowTheClock(t *testing.T) {
	c := newClock()
	s, x := New(WithClock(c.Now)), context.Background()
	_, err := s.CreateCluster(x, Namespace, request("alpha"))
	require.NoError(t, err)
	read := func() *capiadapter.ClusterDetail {
		d, err := s.GetCluster(x, Namespace, "alpha")
		require.NoError(t, err)
		return d
	}
	d := read()
	assert.Equal(t, "Provisioning", d.Cluster.Status.Phase)
	assert.False(t, *d.Cluster.Status.Initialization.InfrastructureProvisioned)
	assert.Equal(t, d.Cluster.ResourceVersion, read().Cluster.ResourceVersion, "reading writes nothing")

	c.Advance(InfrastructureTime)
	d = read()
	assert.Equal(t, "Provisioning", d.Cluster.Status.Phase)
	assert.True(t, *d.Cluster.Status.Initialization.InfrastructureProvisioned)
	assert.False(t, *d.Cluster.Status.Initialization.ControlPlaneInitialized)
	assert.Equal(t, "alpha.default.sandbox.invalid", d.Cluster.Spec.ControlPlaneEndpoint.Host)
	_, err = s.Kubeconfig(x, Namespace, "alpha")
	assert.Equal(t, http.StatusNotFound, apierr.From(err).Status, "no kubeconfig before the control plane")

	c.Advance(ProvisioningTime - InfrastructureTime)
	d = read()
	assert.Equal(t, "Provisioned", d.Cluster.Status.Phase)
	assert.EqualValues(t, 2, *d.MachineDeployments[0].Status.ReadyReplicas)
	rep, err := s.Nodes(x, Namespace, "alpha")
	require.NoError(t, err)
	assert.Len(t, rep.Machines, 3, "1 control plane machine (the default) + 2 workers")
}

// TestScaleResizes: the controllers follow a scale with Machines.
func TestScaleResizes(t *testing.T) {
	c := newClock()
	s, x := New(WithClock(c.Now)), context.Background()
	_, err := s.CreateCluster(x, Namespace, request("alpha"))
	require.NoError(t, err)
	c.Advance(ProvisioningTime)
	_, err = s.ScaleCluster(x, Namespace, "alpha", capiadapter.ScaleRequest{Replicas: 4})
	require.NoError(t, err)
	rep, err := s.Nodes(x, Namespace, "alpha")
	require.NoError(t, err)
	assert.Len(t, rep.Machines, 5)
	d, err := s.GetCluster(x, Namespace, "alpha")
	require.NoError(t, err)
	assert.EqualValues(t, 4, *d.Cluster.Status.Workers.DesiredReplicas)
}

// TestDeletionFollowsTheClock: Deleting for DeletionTime, then gone with
// everything that belonged to the cluster.
func TestDeletionFollowsTheClock(t *testing.T) {
	c := newClock()
	s, x := New(WithClock(c.Now)), context.Background()
	_, err := s.DeleteCluster(x, Namespace, DemoCluster)
	require.NoError(t, err)
	c.Advance(DeletionTime - time.Second)
	d, err := s.GetCluster(x, Namespace, DemoCluster)
	require.NoError(t, err)
	assert.Equal(t, "Deleting", d.Cluster.Status.Phase)
	c.Advance(time.Second)
	_, err = s.GetCluster(x, Namespace, DemoCluster)
	assert.Equal(t, http.StatusNotFound, apierr.From(err).Status)
	var mds clusterv1.MachineDeploymentList
	require.NoError(t, s.store.List(x, &mds))
	var machines clusterv1.MachineList
	require.NoError(t, s.store.List(x, &machines))
	assert.Empty(t, mds.Items)
	assert.Empty(t, machines.Items)
}

// TestDeterministic: two sandboxes on the same clock generate the same
// names and uids.
func TestDeterministic(t *testing.T) {
	names := func() []string {
		s, x := New(WithClock(newClock().Now)), context.Background()
		rep, err := s.Nodes(x, Namespace, DemoCluster)
		require.NoError(t, err)
		d, err := s.GetCluster(x, Namespace, DemoCluster)
		require.NoError(t, err)
		out := []string{string(d.Cluster.UID), d.Cluster.ResourceVersion}
		for _, md := range d.MachineDeployments {
			out = append(out, md.Name)
		}
		for _, m := range rep.Machines {
			out = append(out, m.Name, m.Status.Addresses[0].Address)
		}
		return out
	}
	assert.Equal(t, names(), names())
}

// TestNoBackgroundWork: the sandbox starts no goroutine; time moves the
// clusters only when someone calls.
func TestNoBackgroundWork(t *testing.T) {
	before := runtime.NumGoroutine()
	s, x := New(), context.Background()
	for range 20 {
		_, err := s.ListClusters(x, "")
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before)
}

// TestConcurrentUse: parallel callers (run with -race); loops are bounded.
func TestConcurrentUse(t *testing.T) {
	c := newClock()
	s := New(WithClock(c.Now))
	x, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			name := []string{"w0", "w1", "w2", "w3"}[g]
			_, err := s.CreateCluster(x, Namespace, request(name))
			assert.NoError(t, err)
			for i := range 10 {
				c.Advance(time.Second)
				_, err := s.ScaleCluster(x, Namespace, name, capiadapter.ScaleRequest{Replicas: int32(i % 3)})
				assert.NoError(t, err)
				_, err = s.ListClusters(x, "")
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	list, err := s.ListClusters(x, Namespace)
	require.NoError(t, err)
	assert.Len(t, list, 5)
}
