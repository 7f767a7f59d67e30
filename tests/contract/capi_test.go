package contract

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

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
	// provision brings a created cluster to Provisioned: the sandbox's
	// simulated controllers, or Cluster API's own once the test reported
	// what the providers that cannot run here would.
	provision func(t *testing.T, name string)
	// finishDeletion lets a deleted cluster go: time passes in the sandbox;
	// on the management cluster the infrastructure provider's teardown ends
	// and Cluster API's finalizers run.
	finishDeletion func(t *testing.T, name string)
	// machinesJoin says whether a provisioned cluster's Machines become
	// running nodes. The sandbox simulates it; on the management cluster no
	// infrastructure provider runs (it would need containers or a cloud),
	// so Machines stay where Cluster API's Machine controller leaves them.
	machinesJoin bool
}

var capiVariants = []variant[capiEnv]{
	{"sandbox", func(*testing.T) capiEnv {
		clock := &manualClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
		return capiEnv{up: capisandbox.New(capisandbox.WithClock(clock.Now)), ns: capisandbox.Namespace,
			provision:      func(*testing.T, string) { clock.Advance(capisandbox.ProvisioningTime) },
			finishDeletion: func(*testing.T, string) { clock.Advance(capisandbox.DeletionTime) },
			machinesJoin:   true,
		}
	}},
	{"capi", func(t *testing.T) capiEnv {
		m := kubetest.Shared(t) // Cluster API's core controllers and webhooks run there
		ns := namespaceOf(t)
		m.Namespace(t, ns)
		m.InstallClass(t, capisandbox.QuickStart(ns))
		up := capiadapter.New(capiadapter.Config{Kubeconfig: m.KubeconfigPath, WorkloadTimeout: 5 * time.Second})
		return capiEnv{up: up, ns: ns,
			provision: func(t *testing.T, name string) { provisioned(t, m, ns, name) },
			finishDeletion: func(t *testing.T, name string) {
				m.FinishInfrastructureDeletion(t, ns, name)
				m.Eventually(t, "cluster "+name+" deleted by Cluster API", func() error {
					err := m.Client.Get(ctx(t), client.ObjectKey{Namespace: ns, Name: name}, &clusterv1.Cluster{})
					if apierrors.IsNotFound(err) {
						return nil
					}
					return fmt.Errorf("still there: %v", err)
				})
			},
		}
	}},
}

// namespaceOf is a namespace of the test's own on the shared management
// cluster (numbered: -count=N runs a test N times on the same cluster).
func namespaceOf(t *testing.T) string {
	name := strings.Trim(strings.ToLower(nonDNS.ReplaceAllString(t.Name(), "-")), "-")
	return fmt.Sprintf("%s-%d", name[:min(len(name), 55)], namespaces.Add(1))
}

var namespaces atomic.Int32

var nonDNS = regexp.MustCompile(`[^a-zA-Z0-9]+`)

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

// provisioned brings a created topology cluster to Provisioned on the
// management cluster. Cluster API's controllers do the work; the test only
// reports what the providers that cannot run here would:
//   - the docker infrastructure provider (it needs a container engine):
//     the DockerCluster's endpoint, provisioned status and finalizer;
//   - the kubeadm control-plane provider (its machines could never become
//     nodes here): an initialized control plane, its three Machines and the
//     kubeconfig Secret, whose server nothing listens on.
//
// From there Cluster API's topology controller creates the
// MachineDeployments, its MachineSet controller the worker Machines, and its
// cluster controller the Cluster's status.
func provisioned(t *testing.T, m *kubetest.Management, ns, name string) {
	t.Helper()
	m.ReportInfrastructure(t, ns, name, "127.0.0.1", 6443)
	m.ReportControlPlane(t, ns, name)
	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	m.Get(t, cl)
	for i := range replicas(cl.Spec.Topology.ControlPlane.Replicas) {
		m.Create(t, kubetest.Machine(ns, name, fmt.Sprintf("%s-control-plane-%d", name, i), true))
	}
	m.Create(t, kubetest.KubeconfigSecret(ns, name, nowhereKubeconfig(t, name)))
	var workers int32
	for _, w := range cl.Spec.Topology.Workers.MachineDeployments {
		workers += replicas(w.Replicas)
	}
	m.Eventually(t, "cluster "+name+" provisioned by Cluster API", func() error {
		got := &clusterv1.Cluster{}
		if err := m.Client.Get(ctx(t), client.ObjectKeyFromObject(cl), got); err != nil {
			return err
		}
		var machines clusterv1.MachineList
		if err := m.Client.List(ctx(t), &machines, client.InNamespace(ns), client.MatchingLabels{clusterv1.ClusterNameLabel: name}); err != nil {
			return err
		}
		for _, mc := range machines.Items {
			if mc.Status.Phase == "" {
				return fmt.Errorf("machine %s not reconciled yet", mc.Name)
			}
		}
		st := got.Status
		if st.Phase != string(clusterv1.ClusterPhaseProvisioned) || st.Workers == nil || ptrOr(st.Workers.DesiredReplicas) != workers ||
			len(machines.Items) != int(workers+replicas(cl.Spec.Topology.ControlPlane.Replicas)) {
			return fmt.Errorf("phase %q, workers %+v, %d machines", st.Phase, st.Workers, len(machines.Items))
		}
		return nil
	})
}

func ptrOr(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
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
