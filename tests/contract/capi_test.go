package contract

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capiadapter "github.com/clustergate/clustergate/adapters/capi"
	capihandlers "github.com/clustergate/clustergate/handlers/capi"
	capisandbox "github.com/clustergate/clustergate/sandbox/capi"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// capiEnv is one management cluster under contract, holding the
// QuickStart ClusterClass in ns.
type capiEnv struct {
	up capihandlers.Upstream
	ns string
	// provision brings a created cluster to Provisioned, as Cluster API's
	// controllers would: MachineDeployments per topology worker, Machines,
	// status, the kubeconfig Secret.
	provision func(t *testing.T, name string)
	// finishDeletion lets a deleted cluster go, as the controller does
	// once the cluster is torn down.
	finishDeletion func(t *testing.T, name string)
}

var capiVariants = []variant[capiEnv]{
	{"sandbox", func(*testing.T) capiEnv {
		clock := &manualClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
		return capiEnv{up: capisandbox.New(capisandbox.WithClock(clock.Now)), ns: capisandbox.Namespace,
			provision:      func(*testing.T, string) { clock.Advance(capisandbox.ProvisioningTime) },
			finishDeletion: func(*testing.T, string) { clock.Advance(capisandbox.DeletionTime) },
		}
	}},
	{"kube", func(t *testing.T) capiEnv {
		env := kubetest.Start(t)
		const ns = "default" // kube-apiserver creates it
		env.Create(t, capisandbox.QuickStart(ns))
		up := capiadapter.New(capiadapter.Config{Kubeconfig: env.KubeconfigPath, WorkloadTimeout: 5 * time.Second})
		return capiEnv{up: up, ns: ns,
			provision: func(t *testing.T, name string) { playProvisioned(t, env, ns, name) },
			finishDeletion: func(t *testing.T, name string) {
				kubetest.RemoveFinalizer(t, env, &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})
			},
		}
	}},
}

// manualClock is a clock tests move by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// playProvisioned plays Cluster API's controllers on a real API server for
// a created topology cluster: the finalizer, one MachineDeployment per
// worker, Machines, a Provisioned status and a kubeconfig Secret whose
// server nothing listens on.
func playProvisioned(t *testing.T, env *kubetest.Env, ns, name string) {
	t.Helper()
	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	kubetest.AddFinalizer(t, env, cl)
	top := cl.Spec.Topology
	cp := replicas(top.ControlPlane.Replicas)
	var workers int32
	for i := range cp {
		machine(t, env, kubetest.Machine(ns, name, fmt.Sprintf("%s-control-plane-%d", name, i), true))
	}
	for _, w := range top.Workers.MachineDeployments {
		n := replicas(w.Replicas)
		workers += n
		md := kubetest.MachineDeployment(ns, name, name+"-"+w.Name+"-x7k2p", w.Name, n)
		env.Create(t, md)
		kubetest.UpdateStatus(t, env, md, func(md *clusterv1.MachineDeployment) {
			md.Status.Replicas, md.Status.ReadyReplicas, md.Status.AvailableReplicas = &n, &n, &n
			md.Status.Phase = "Running"
		})
		for i := range n {
			machine(t, env, kubetest.Machine(ns, name, fmt.Sprintf("%s-%d", md.Name, i), false))
		}
	}
	kubetest.UpdateStatus(t, env, cl, func(c *clusterv1.Cluster) {
		c.Status.Phase = string(clusterv1.ClusterPhaseProvisioned)
		c.Status.Initialization.InfrastructureProvisioned, c.Status.Initialization.ControlPlaneInitialized = new(true), new(true)
		c.Status.ControlPlane = &clusterv1.ClusterControlPlaneStatus{DesiredReplicas: &cp, Replicas: &cp, ReadyReplicas: &cp, AvailableReplicas: &cp}
		c.Status.Workers = &clusterv1.WorkersStatus{DesiredReplicas: &workers, Replicas: &workers, ReadyReplicas: &workers, AvailableReplicas: &workers}
		c.Status.Conditions = []metav1.Condition{{Type: clusterv1.ClusterAvailableCondition, Status: metav1.ConditionTrue,
			Reason: "Available", LastTransitionTime: metav1.Now()}}
	})
	env.Create(t, kubetest.KubeconfigSecret(ns, name, nowhereKubeconfig(t, name)))
}

func machine(t *testing.T, env *kubetest.Env, m *clusterv1.Machine) {
	env.Create(t, m)
	kubetest.UpdateStatus(t, env, m, func(m *clusterv1.Machine) {
		m.Status.NodeRef.Name, m.Status.Phase = m.Name, "Running"
		m.Status.Conditions = []metav1.Condition{{Type: clusterv1.MachineReadyCondition, Status: metav1.ConditionTrue,
			Reason: "Ready", LastTransitionTime: metav1.Now()}}
	})
}

// nowhereKubeconfig is a workload kubeconfig whose server refuses at once.
func nowhereKubeconfig(t *testing.T, name string) []byte {
	out, err := clientcmd.Write(clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{name: {Server: "https://127.0.0.1:1"}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{name: {Token: "contract"}},
		Contexts:       map[string]*clientcmdapi.Context{name: {Cluster: name, AuthInfo: name}},
		CurrentContext: name,
	})
	require.NoError(t, err)
	return out
}

func replicas(r *int32) int32 {
	if r == nil {
		return 1
	}
	return *r
}

// newCluster is a valid create request for the QuickStart template.
func newCluster(name string) capiadapter.CreateRequest {
	three, two, one := int32(3), int32(2), int32(1)
	return capiadapter.CreateRequest{
		Name: name, Class: capisandbox.TemplateName, Version: "v1.36.3", ControlPlaneReplicas: &three,
		Workers: []capiadapter.Worker{
			{Class: "default-worker", Name: "md-0", Replicas: &two},
			{Class: "gpu-worker", Name: "gpu", Replicas: &one},
		},
		Variables: map[string]any{"region": "eu", "proxy": map[string]any{"http": "http://proxy:3128"}},
	}
}
