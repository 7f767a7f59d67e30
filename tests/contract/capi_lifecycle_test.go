package contract

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	"github.com/clustergate/clustergate/internal/apierr"
)

// TestCapiScale: scaling a topology cluster by topology or object name,
// its refusals, and resourceVersion preconditions.
func TestCapiScale(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) {
		x := ctx(t)
		_, err := env.up.CreateCluster(x, env.ns, newCluster("alpha"))
		require.NoError(t, err)
		env.provision(t, "alpha")
		id := env.ns + "/alpha"
		scale := func(req capiadapter.ScaleRequest) (*capiadapter.ScaleResult, error) {
			return env.up.ScaleCluster(x, env.ns, "alpha", req)
		}
		_, err = scale(capiadapter.ScaleRequest{Replicas: 4})
		// The adapter's own refusals of bad input are the facade's 400s.
		requireError(t, err, "", http.StatusBadRequest,
			"machineDeployment: cluster "+id+" has several worker machine deployments (md-0, gpu); name one")
		_, err = scale(capiadapter.ScaleRequest{Replicas: 4, MachineDeployment: "arm"})
		requireError(t, err, "", http.StatusBadRequest, `machineDeployment: cluster `+id+` has no worker machine deployment "arm"`)
		_, err = scale(capiadapter.ScaleRequest{Replicas: -1, MachineDeployment: "md-0"})
		requireError(t, err, "", http.StatusBadRequest, "replicas: must be 0 or more")

		res, err := scale(capiadapter.ScaleRequest{Replicas: 5, MachineDeployment: "md-0"})
		require.NoError(t, err)
		assert.Equal(t, capiadapter.TargetTopology, res.Target)
		assert.Equal(t, "md-0", res.MachineDeployment)
		assert.EqualValues(t, 2, *res.Previous)
		assert.EqualValues(t, 5, res.Replicas)
		assert.NotEmpty(t, res.ResourceVersion)
		d, err := env.up.GetCluster(x, env.ns, "alpha")
		require.NoError(t, err)
		assert.EqualValues(t, 5, *d.Cluster.Spec.Topology.Workers.MachineDeployments[0].Replicas)

		gpuObject := d.MachineDeployments[0].Name // sorted by name: alpha-gpu-… first
		byObject, err := scale(capiadapter.ScaleRequest{Replicas: 0, MachineDeployment: gpuObject})
		require.NoError(t, err)
		assert.Equal(t, "gpu", byObject.MachineDeployment, "the object name resolves to its topology worker")

		// Versions move with every write (the sandbox's controllers also
		// write status after a scale): a version read before the last write
		// is refused, one read now is accepted.
		_, err = scale(capiadapter.ScaleRequest{Replicas: 6, MachineDeployment: "md-0", ResourceVersion: res.ResourceVersion})
		requireError(t, err, "capi", http.StatusConflict, "the object has been modified; please apply your changes to the latest version and try again")
		// Cluster API's controllers write the Cluster's status on their own,
		// so a version read now may be stale by the time it is used: a few
		// tries, each with a fresh version.
		for try := 0; ; try++ {
			d, err = env.up.GetCluster(x, env.ns, "alpha")
			require.NoError(t, err)
			_, err = scale(capiadapter.ScaleRequest{Replicas: 6, MachineDeployment: "md-0", ResourceVersion: d.Cluster.ResourceVersion})
			if err == nil || try == 5 || apierr.From(err).Status != http.StatusConflict {
				break
			}
		}
		require.NoError(t, err, "the current version is accepted")
	})
}

// TestCapiKubeconfigAndNodes: no kubeconfig before the control plane is
// initialized; after, a well-formed one, and the nodes fall back to the
// Machines since no workload API answers.
func TestCapiKubeconfigAndNodes(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) {
		x := ctx(t)
		_, err := env.up.CreateCluster(x, env.ns, newCluster("alpha"))
		require.NoError(t, err)
		_, err = env.up.Kubeconfig(x, env.ns, "alpha")
		requireError(t, err, "capi", http.StatusNotFound, "capi: cluster "+env.ns+"/alpha has no kubeconfig Secret alpha-kubeconfig yet")
		early, err := env.up.Nodes(x, env.ns, "alpha")
		require.NoError(t, err)
		assert.Contains(t, early.FallbackReason, "has no kubeconfig Secret alpha-kubeconfig yet")

		env.provision(t, "alpha")
		kc, err := env.up.Kubeconfig(x, env.ns, "alpha")
		require.NoError(t, err)
		assert.Equal(t, "alpha-kubeconfig", kc.Secret)
		cfg, err := clientcmd.Load(kc.Data)
		require.NoError(t, err)
		require.Contains(t, cfg.Contexts, cfg.CurrentContext)
		cluster := cfg.Clusters[cfg.Contexts[cfg.CurrentContext].Cluster]
		require.NotNil(t, cluster)
		assert.True(t, strings.HasPrefix(cluster.Server, "https://"), cluster.Server)
		_, err = clientcmd.RESTConfigFromKubeConfig(kc.Data)
		require.NoError(t, err, "a client can be built from it")

		rep, err := env.up.Nodes(x, env.ns, "alpha")
		require.NoError(t, err)
		assert.Empty(t, rep.Nodes)
		assert.True(t, strings.HasPrefix(rep.FallbackReason, "the workload cluster's API did not list its nodes: "), rep.FallbackReason)
		require.Len(t, rep.Machines, 6, "3 control plane + 2 + 1 workers")
		controlPlane := 0
		for i, m := range rep.Machines {
			if i > 0 {
				assert.Less(t, rep.Machines[i-1].Name, m.Name, "sorted by name")
			}
			if _, ok := m.Labels[clusterv1.MachineControlPlaneLabel]; ok {
				controlPlane++
			}
			if env.machinesJoin {
				assert.Equal(t, "Running", m.Status.Phase)
				assert.NotEmpty(t, m.Status.NodeRef.Name)
			} else {
				// Cluster API's Machine controller keeps them waiting for
				// the infrastructure no provider here makes.
				assert.NotEmpty(t, m.Status.Phase, "set by Cluster API's Machine controller")
				assert.NotEqual(t, "Running", m.Status.Phase)
				assert.Empty(t, m.Status.NodeRef.Name)
			}
		}
		assert.Equal(t, 3, controlPlane)
	})
}

// TestCapiDeletion: a deleted cluster stays, deleting, until its finalizer
// goes; then every route says it is not found.
func TestCapiDeletion(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) {
		x := ctx(t)
		_, err := env.up.CreateCluster(x, env.ns, newCluster("alpha"))
		require.NoError(t, err)
		env.provision(t, "alpha")
		gone, err := env.up.DeleteCluster(x, env.ns, "alpha")
		require.NoError(t, err)
		assert.False(t, gone, "the finalizer keeps it")
		d, err := env.up.GetCluster(x, env.ns, "alpha")
		require.NoError(t, err)
		assert.NotNil(t, d.Cluster.DeletionTimestamp)
		_, err = env.up.ScaleCluster(x, env.ns, "alpha", capiadapter.ScaleRequest{Replicas: 1, MachineDeployment: "md-0"})
		requireError(t, err, "capi", http.StatusConflict, "capi: cluster "+env.ns+"/alpha is being deleted; it cannot be scaled")
		gone, err = env.up.DeleteCluster(x, env.ns, "alpha")
		require.NoError(t, err, "deleting again is accepted")
		assert.False(t, gone)

		env.finishDeletion(t, "alpha")
		missing(t, env, "alpha")
	})
}

// TestCapiMissingCluster: every route naming a cluster that does not exist
// answers 404.
func TestCapiMissingCluster(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) { missing(t, env, "ghost") })
}

func missing(t *testing.T, env capiEnv, name string) {
	x := ctx(t)
	notFound := `clusters.cluster.x-k8s.io "` + name + `" not found`
	_, err := env.up.GetCluster(x, env.ns, name)
	requireError(t, err, "capi", http.StatusNotFound, "capi: get cluster "+env.ns+"/"+name+": "+notFound)
	_, err = env.up.Kubeconfig(x, env.ns, name)
	requireError(t, err, "capi", http.StatusNotFound, notFound)
	_, err = env.up.Nodes(x, env.ns, name)
	requireError(t, err, "capi", http.StatusNotFound, notFound)
	_, err = env.up.ScaleCluster(x, env.ns, name, capiadapter.ScaleRequest{Replicas: 1})
	requireError(t, err, "capi", http.StatusNotFound, notFound)
	_, err = env.up.DeleteCluster(x, env.ns, name)
	requireError(t, err, "capi", http.StatusNotFound, "capi: delete cluster "+env.ns+"/"+name+": "+notFound)
}
