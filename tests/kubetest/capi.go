package kubetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/util/retry"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// Scheme knows core/v1, rbac/v1 (tests grant callers rights) and
// cluster.x-k8s.io/v1beta2.
var Scheme = newScheme()

func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(s))
	utilruntime.Must(rbacv1.AddToScheme(s))
	utilruntime.Must(clusterv1.AddToScheme(s))
	return s
}

// ctx bounds one helper call.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// Namespace creates a namespace.
func (e *Env) Namespace(t testing.TB, name string) {
	t.Helper()
	require.NoError(t, e.Client.Create(ctx(t), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}))
}

// Create creates obj.
func (e *Env) Create(t testing.TB, obj client.Object) {
	t.Helper()
	require.NoError(t, e.Client.Create(ctx(t), obj), "create %T %s", obj, obj.GetName())
}

// Get reads obj again (by its namespace and name).
func (e *Env) Get(t testing.TB, obj client.Object) {
	t.Helper()
	require.NoError(t, e.Client.Get(ctx(t), client.ObjectKeyFromObject(obj), obj))
}

// UpdateStatus plays a controller: it reads obj, applies change and writes
// the status subresource, retrying on conflicts.
func UpdateStatus[T client.Object](t testing.TB, e *Env, obj T, change func(T)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := e.Client.Get(ctx(t), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change(obj)
		return e.Client.Status().Update(ctx(t), obj)
	})
	require.NoError(t, err, "update status of %T %s", obj, obj.GetName())
}

// Update reads obj, applies change and writes it, retrying on conflicts.
func Update[T client.Object](t testing.TB, e *Env, obj T, change func(T)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := e.Client.Get(ctx(t), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change(obj)
		return e.Client.Update(ctx(t), obj)
	})
	require.NoError(t, err, "update %T %s", obj, obj.GetName())
}

// AddFinalizer adds Cluster API's cluster finalizer, as its controller does.
func AddFinalizer(t testing.TB, e *Env, c *clusterv1.Cluster) {
	Update(t, e, c, func(c *clusterv1.Cluster) { controllerutil.AddFinalizer(c, clusterv1.ClusterFinalizer) })
}

// RemoveFinalizer removes it, as the controller does once the cluster is
// torn down; a deleting cluster then disappears.
func RemoveFinalizer(t testing.TB, e *Env, c *clusterv1.Cluster) {
	Update(t, e, c, func(c *clusterv1.Cluster) { controllerutil.RemoveFinalizer(c, clusterv1.ClusterFinalizer) })
}

// Variable is a ClusterClass variable for ClusterClass.
type Variable struct {
	Name     string
	Required bool
	Schema   clusterv1.JSONSchemaProps
}

// ClusterClass returns a valid ClusterClass with the given worker classes
// and variables. The templates it names need not exist: nothing reconciles.
func ClusterClass(namespace, name string, workerClasses []string, vars ...Variable) *clusterv1.ClusterClass {
	ref := func(kind, name string) clusterv1.ClusterClassTemplateReference {
		return clusterv1.ClusterClassTemplateReference{APIVersion: "infrastructure.cluster.x-k8s.io/v1beta2", Kind: kind, Name: name}
	}
	cc := &clusterv1.ClusterClass{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	cc.Spec.Infrastructure.TemplateRef = ref("DockerClusterTemplate", name)
	cc.Spec.ControlPlane.TemplateRef = clusterv1.ClusterClassTemplateReference{
		APIVersion: "controlplane.cluster.x-k8s.io/v1beta2", Kind: "KubeadmControlPlaneTemplate", Name: name + "-cp"}
	for _, wc := range workerClasses {
		cc.Spec.Workers.MachineDeployments = append(cc.Spec.Workers.MachineDeployments, clusterv1.MachineDeploymentClass{
			Class:          wc,
			Bootstrap:      clusterv1.MachineDeploymentClassBootstrapTemplate{TemplateRef: ref("KubeadmConfigTemplate", name+"-"+wc)},
			Infrastructure: clusterv1.MachineDeploymentClassInfrastructureTemplate{TemplateRef: ref("DockerMachineTemplate", name+"-"+wc)},
		})
	}
	for _, v := range vars {
		cc.Spec.Variables = append(cc.Spec.Variables, clusterv1.ClusterClassVariable{
			Name: v.Name, Required: new(v.Required), Schema: clusterv1.VariableSchema{OpenAPIV3Schema: v.Schema}})
	}
	return cc
}

// JSON is a raw JSON value for schemas (defaults, enums).
func JSON(raw string) *apiextensionsv1.JSON { return &apiextensionsv1.JSON{Raw: []byte(raw)} }

// ClassicCluster returns a Cluster without topology, as clusterctl's flavours
// without ClusterClass create them.
func ClassicCluster(namespace, name string) *clusterv1.Cluster {
	c := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	c.Spec.InfrastructureRef = clusterv1.ContractVersionedObjectReference{APIGroup: "infrastructure.cluster.x-k8s.io", Kind: "DockerCluster", Name: name}
	c.Spec.ControlPlaneRef = clusterv1.ContractVersionedObjectReference{APIGroup: "controlplane.cluster.x-k8s.io", Kind: "KubeadmControlPlane", Name: name}
	return c
}

// MachineDeployment returns a MachineDeployment of cluster, labelled as
// Cluster API labels them; topologyName is set on those the topology
// controller makes.
func MachineDeployment(namespace, cluster, name, topologyName string, replicas int32) *clusterv1.MachineDeployment {
	md := &clusterv1.MachineDeployment{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name,
		Labels: map[string]string{clusterv1.ClusterNameLabel: cluster}}}
	if topologyName != "" {
		md.Labels[clusterv1.ClusterTopologyMachineDeploymentNameLabel] = topologyName
	}
	md.Spec.ClusterName, md.Spec.Replicas = cluster, &replicas
	sel := map[string]string{clusterv1.ClusterNameLabel: cluster, "kubetest/md": name}
	md.Spec.Selector = metav1.LabelSelector{MatchLabels: sel}
	md.Spec.Template.Labels = sel
	md.Spec.Template.Spec = machineSpec(cluster, name)
	return md
}

// Machine returns a Machine of cluster; controlPlane labels it as a
// control-plane machine.
func Machine(namespace, cluster, name string, controlPlane bool) *clusterv1.Machine {
	m := &clusterv1.Machine{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name,
		Labels: map[string]string{clusterv1.ClusterNameLabel: cluster}}}
	if controlPlane {
		m.Labels[clusterv1.MachineControlPlaneLabel] = ""
	}
	m.Spec = machineSpec(cluster, name)
	m.Spec.Version = "v1.36.3"
	return m
}

func machineSpec(cluster, name string) clusterv1.MachineSpec {
	return clusterv1.MachineSpec{
		ClusterName: cluster,
		Bootstrap:   clusterv1.Bootstrap{DataSecretName: new(name + "-bootstrap")},
		InfrastructureRef: clusterv1.ContractVersionedObjectReference{APIGroup: "infrastructure.cluster.x-k8s.io",
			Kind: "DockerMachine", Name: name},
	}
}

// KubeconfigSecret returns the Secret Cluster API writes for a cluster's
// admin kubeconfig.
func KubeconfigSecret(namespace, cluster string, kubeconfig []byte) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: cluster + "-kubeconfig",
			Labels: map[string]string{clusterv1.ClusterNameLabel: cluster}},
		Type: clusterv1.ClusterSecretType,
		Data: map[string][]byte{"value": kubeconfig},
	}
}

// Node creates a Node with the given roles and kubelet version, ready or
// not, as a kubelet would register it.
func (e *Env) Node(t testing.TB, name, kubelet string, ready bool, roles ...string) *corev1.Node {
	t.Helper()
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{}}}
	for _, r := range roles {
		n.Labels["node-role.kubernetes.io/"+r] = ""
	}
	e.Create(t, n)
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	UpdateStatus(t, e, n, func(n *corev1.Node) {
		n.Status.NodeInfo.KubeletVersion = kubelet
		n.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0." + name[len(name)-1:]}}
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status,
			LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(), Reason: "KubeletReady"}}
	})
	return n
}
