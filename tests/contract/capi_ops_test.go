package contract

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	"github.com/clustergate/clustergate/internal/ptr"
)

// TestCapiTemplates: the ClusterClass as list_cluster_templates reads it.
func TestCapiTemplates(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) {
		x := ctx(t)
		list, err := env.up.ListTemplates(x, env.ns)
		require.NoError(t, err)
		require.Len(t, list, 1)
		tpl := list[0]
		assert.Equal(t, "quick-start", tpl.Class.Name)
		assert.Equal(t, []string{"v1.35.2", "v1.36.3"}, tpl.Class.Spec.KubernetesVersions)
		var classes []string
		for _, md := range tpl.Class.Spec.Workers.MachineDeployments {
			classes = append(classes, md.Class)
		}
		assert.Equal(t, []string{"default-worker", "gpu-worker"}, classes)
		var names []string
		for _, v := range tpl.Variables {
			names = append(names, v.Name)
		}
		require.Equal(t, []string{"etcdDiskGB", "proxy", "region"}, names, "sorted by name")
		assert.True(t, tpl.Variables[0].Required)
		assert.Equal(t, "integer", tpl.Variables[0].Schema.Type)
		assert.JSONEq(t, `20`, string(tpl.Variables[0].Schema.Default.Raw))
		assert.False(t, tpl.Variables[1].Required)
		assert.Len(t, tpl.Variables[2].Schema.Enum, 2)

		all, err := env.up.ListTemplates(x, "")
		require.NoError(t, err)
		assert.True(t, slices.ContainsFunc(all, func(t capiadapter.Template) bool { return t.Class.Name == "quick-start" }))
		none, err := env.up.ListTemplates(x, "no-such-namespace")
		require.NoError(t, err)
		assert.Empty(t, none)
	})
}

// TestCapiCreateRefusals: requests that do not fit the ClusterClass, or the
// API server, are refused naming the field; nothing is created.
func TestCapiCreateRefusals(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) {
		x := ctx(t)
		// Refusals of the adapter's checks against the ClusterClass are the
		// facade's own 400s (no upstream); the API server's are the capi
		// upstream's.
		for _, tc := range []struct {
			name   string
			change func(r *capiadapter.CreateRequest)
			from   string // the upstream the error is attributed to
			status int
			want   string
		}{
			{"unknown template", func(r *capiadapter.CreateRequest) { r.Class = "nope" }, "capi", 400, "template: no ClusterClass " + env.ns + "/nope"},
			{"unknown worker class", func(r *capiadapter.CreateRequest) { r.Workers[1].Class = "arm-worker" }, "", 400, `workers[1].class: "arm-worker" is not a worker class`},
			{"duplicate worker", func(r *capiadapter.CreateRequest) { r.Workers[1].Name = "md-0" }, "", 400, `workers[1].name: "md-0" is also the name of workers[0]`},
			{"unknown variable", func(r *capiadapter.CreateRequest) { r.Variables["flavour"] = "x" }, "", 400, "variables.flavour: not a variable"},
			{"missing required", func(r *capiadapter.CreateRequest) { delete(r.Variables, "region") }, "", 400, "variables.region: required"},
			{"wrong type", func(r *capiadapter.CreateRequest) { r.Variables["etcdDiskGB"] = "big" }, "", 400, "variables.etcdDiskGB must be of type integer"},
			{"below minimum", func(r *capiadapter.CreateRequest) { r.Variables["etcdDiskGB"] = 5 }, "", 400, "variables.etcdDiskGB"},
			{"not in enum", func(r *capiadapter.CreateRequest) { r.Variables["region"] = "mars" }, "", 400, "variables.region"},
			{"nested required", func(r *capiadapter.CreateRequest) { r.Variables["proxy"] = map[string]any{} }, "", 400, "variables.proxy.http"},
			{"unsupported version", func(r *capiadapter.CreateRequest) { r.Version = "v1.30.0" }, "", 400, "kubernetesVersion: v1.30.0"},
			{"negative replicas", func(r *capiadapter.CreateRequest) { r.Workers[0].Replicas = new(int32(-1)) }, "", 400, "workers[0].replicas"},
			{"bad name", func(r *capiadapter.CreateRequest) { r.Name = "Bad_Name" }, "capi", 400,
				`capi: create cluster ` + env.ns + `/Bad_Name: Cluster.cluster.x-k8s.io "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"`},
		} {
			req := newCluster("refused")
			tc.change(&req)
			_, err := env.up.CreateCluster(x, env.ns, req)
			requireError(t, err, tc.from, tc.status, tc.want)
		}
		elsewhere := newCluster("refused")
		elsewhere.ClassNamespace = env.ns
		_, err := env.up.CreateCluster(x, "nowhere", elsewhere)
		requireError(t, err, "capi", http.StatusNotFound, `capi: create cluster nowhere/refused: namespaces "nowhere" not found`)
		_, err = env.up.GetCluster(x, env.ns, "refused")
		requireError(t, err, "capi", http.StatusNotFound)
	})
}

// TestCapiCreate: a dry run stores nothing; a creation stores the topology
// cluster, required variables defaulted; a second one conflicts.
func TestCapiCreate(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) {
		x := ctx(t)
		dry := newCluster("alpha")
		dry.DryRun = true
		would, err := env.up.CreateCluster(x, env.ns, dry)
		require.NoError(t, err)
		assert.Equal(t, "alpha", would.Name)
		_, err = env.up.GetCluster(x, env.ns, "alpha")
		requireError(t, err, "capi", http.StatusNotFound, `clusters.cluster.x-k8s.io "alpha" not found`)

		c, err := env.up.CreateCluster(x, env.ns, newCluster("alpha"))
		require.NoError(t, err)
		assert.NotEmpty(t, c.UID)
		assert.NotEmpty(t, c.ResourceVersion)
		assert.False(t, c.CreationTimestamp.IsZero())
		top := c.Spec.Topology
		assert.Equal(t, "quick-start", top.ClassRef.Name)
		assert.Empty(t, top.ClassRef.Namespace, "the cluster's own namespace")
		assert.Equal(t, "v1.36.3", top.Version)
		assert.EqualValues(t, 3, *top.ControlPlane.Replicas)
		require.Len(t, top.Workers.MachineDeployments, 2)
		vars := map[string]string{}
		for _, v := range top.Variables {
			vars[v.Name] = string(v.Value.Raw)
		}
		assert.Equal(t, map[string]string{"etcdDiskGB": `20`, "proxy": `{"http":"http://proxy:3128"}`, "region": `"eu"`}, vars)
		assert.Empty(t, c.Status.Phase, "the API server stores no status; controllers write it later")

		_, err = env.up.CreateCluster(x, env.ns, newCluster("alpha"))
		requireError(t, err, "capi", http.StatusConflict, `clusters.cluster.x-k8s.io "alpha" already exists`)
		dry.Name = "alpha"
		_, err = env.up.CreateCluster(x, env.ns, dry)
		requireError(t, err, "capi", http.StatusConflict, "already exists")

		listed, err := env.up.ListClusters(x, env.ns)
		require.NoError(t, err)
		assert.True(t, slices.ContainsFunc(listed, func(c clusterv1.Cluster) bool { return c.Name == "alpha" }))
		all, err := env.up.ListClusters(x, "")
		require.NoError(t, err)
		assert.True(t, slices.IsSortedFunc(all, func(a, b clusterv1.Cluster) int {
			return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
		}))
	})
}

// TestCapiProvisioned: what a provisioned cluster reads like.
func TestCapiProvisioned(t *testing.T) {
	run(t, capiVariants, func(t *testing.T, env capiEnv) {
		x := ctx(t)
		_, err := env.up.CreateCluster(x, env.ns, newCluster("alpha"))
		require.NoError(t, err)
		env.provision(t, "alpha")
		d, err := env.up.GetCluster(x, env.ns, "alpha")
		require.NoError(t, err)
		st := d.Cluster.Status
		assert.Equal(t, "Provisioned", st.Phase)
		assert.True(t, *st.Initialization.ControlPlaneInitialized)
		assert.EqualValues(t, 3, *st.ControlPlane.ReadyReplicas)
		// Workers are ready only where machines join (see machinesJoin).
		ready := func(n int32) int32 {
			if env.machinesJoin {
				return n
			}
			return 0
		}
		// Cluster API leaves a counter out while nothing reports it (no
		// Machine ready): absent counts as zero.
		assert.EqualValues(t, ready(3), ptr.Deref(st.Workers.ReadyReplicas))
		assert.Contains(t, d.Cluster.Finalizers, clusterv1.ClusterFinalizer)
		// Conditions with the types and reasons Cluster API's controllers
		// set (the sandbox simulates the same ones).
		for typ, reason := range map[string]string{
			clusterv1.ClusterInfrastructureReadyCondition:     clusterv1.ClusterInfrastructureReadyReason,
			clusterv1.ClusterControlPlaneInitializedCondition: clusterv1.ClusterControlPlaneInitializedReason,
			clusterv1.ClusterTopologyReconciledCondition:      clusterv1.ClusterTopologyReconcileSucceededReason,
		} {
			c := meta.FindStatusCondition(st.Conditions, typ)
			if assert.NotNil(t, c, "condition %s in %+v", typ, st.Conditions) {
				assert.Equal(t, metav1.ConditionTrue, c.Status, typ)
				assert.Equal(t, reason, c.Reason, typ)
			}
		}
		require.Len(t, d.MachineDeployments, 2)
		for i, w := range []struct {
			topology string
			replicas int32
		}{{"gpu", 1}, {"md-0", 2}} { // sorted by object name
			md := d.MachineDeployments[i]
			assert.True(t, strings.HasPrefix(md.Name, "alpha-"+w.topology+"-"), md.Name)
			assert.Equal(t, w.topology, md.Labels[clusterv1.ClusterTopologyMachineDeploymentNameLabel])
			assert.EqualValues(t, w.replicas, *md.Spec.Replicas)
			// Cluster API leaves the counter out while no Machine is ready.
			assert.EqualValues(t, ready(w.replicas), ptr.Deref(md.Status.ReadyReplicas), md.Name)
		}
	})
}
