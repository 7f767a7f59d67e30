package kubetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Wait bounds how long a test waits for Cluster API's controllers to act.
const Wait = 90 * time.Second

// Eventually polls check until it returns nil, failing t with its last
// error (and the manager's last log lines) after Wait.
func (m *Management) Eventually(t testing.TB, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(Wait)
	var err error
	for {
		if err = check(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kubetest: %s: not within %s: %v\nCluster API manager log:\n%s", what, Wait, err, m.ManagerLogTail(20))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// templateSpecs are the provider templates' specs: the providers' CRDs
// refuse empty ones, and the topology controller copies them as they are.
var templateSpecs = map[string]map[string]any{
	"DockerClusterTemplate":       {"loadBalancer": map[string]any{"imageRepository": "kindest"}},
	"DockerMachineTemplate":       {"customImage": "kindest/node:v1.36.3"},
	"KubeadmControlPlaneTemplate": {"kubeadmConfigSpec": map[string]any{"preKubeadmCommands": []any{"true"}}},
	"KubeadmConfigTemplate":       {"preKubeadmCommands": []any{"true"}},
}

// InstallClass creates the provider templates cc names, then cc, and waits
// until Cluster API's ClusterClass controller has reconciled it (its
// variables ready): only then does the Cluster webhook check clusters
// against it.
func (m *Management) InstallClass(t testing.TB, cc *clusterv1.ClusterClass) {
	t.Helper()
	refs := []clusterv1.ClusterClassTemplateReference{cc.Spec.Infrastructure.TemplateRef, cc.Spec.ControlPlane.TemplateRef}
	if r := cc.Spec.ControlPlane.MachineInfrastructure.TemplateRef; r.IsDefined() {
		refs = append(refs, r)
	}
	for _, md := range cc.Spec.Workers.MachineDeployments {
		refs = append(refs, md.Bootstrap.TemplateRef, md.Infrastructure.TemplateRef)
	}
	for _, r := range refs {
		m.Template(t, cc.Namespace, r)
	}
	m.Create(t, cc)
	m.Eventually(t, "ClusterClass "+cc.Name+" reconciled", func() error {
		got := &clusterv1.ClusterClass{}
		if err := m.Client.Get(context.Background(), client.ObjectKeyFromObject(cc), got); err != nil {
			return err
		}
		c := meta.FindStatusCondition(got.Status.Conditions, clusterv1.ClusterClassVariablesReadyCondition)
		if got.Status.ObservedGeneration != got.Generation || c == nil || c.Status != "True" {
			return fmt.Errorf("generation %d observed %d, conditions %+v", got.Generation, got.Status.ObservedGeneration, got.Status.Conditions)
		}
		return nil
	})
}

// Template creates a provider template (with a spec its CRD accepts)
// unless it exists.
func (m *Management) Template(t testing.TB, namespace string, r clusterv1.ClusterClassTemplateReference) {
	t.Helper()
	spec, ok := templateSpecs[r.Kind]
	require.True(t, ok, "kubetest: no template spec for kind %s", r.Kind)
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": r.APIVersion, "kind": r.Kind,
		"metadata": map[string]any{"namespace": namespace, "name": r.Name},
		"spec":     map[string]any{"template": map[string]any{"spec": spec}},
	}}
	err := m.Client.Create(context.Background(), u)
	if !apierrors.IsAlreadyExists(err) {
		require.NoError(t, err, "create %s %s", r.Kind, r.Name)
	}
}

// Ref returns the object a Cluster references once the topology controller
// made it (infrastructure or control plane), waiting for both the reference
// and the object.
func (m *Management) Ref(t testing.TB, namespace, cluster string, pick func(*clusterv1.Cluster) clusterv1.ContractVersionedObjectReference) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	m.Eventually(t, "object referenced by cluster "+cluster, func() error {
		cl := &clusterv1.Cluster{}
		if err := m.Client.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: cluster}, cl); err != nil {
			return err
		}
		ref := pick(cl)
		if !ref.IsDefined() {
			return fmt.Errorf("no reference yet")
		}
		u.SetGroupVersionKind(schema.GroupVersionKind{Group: ref.APIGroup, Version: "v1beta2", Kind: ref.Kind})
		return m.Client.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: ref.Name}, u)
	})
	return u
}

// dockerFinalizer is the docker infrastructure provider's finalizer on a
// DockerCluster: it holds the cluster's deletion while the provider tears
// the infrastructure down.
const dockerFinalizer = "dockercluster.infrastructure.cluster.x-k8s.io"

// ReportInfrastructure plays the docker infrastructure provider, which does
// not run here (it needs a container engine): the cluster's DockerCluster
// gets the provider's finalizer and a control plane endpoint, and reports
// itself provisioned. FinishInfrastructureDeletion plays its teardown.
func (m *Management) ReportInfrastructure(t testing.TB, namespace, cluster, host string, port int64) {
	t.Helper()
	infra := m.Ref(t, namespace, cluster, func(c *clusterv1.Cluster) clusterv1.ContractVersionedObjectReference { return c.Spec.InfrastructureRef })
	m.patch(t, infra, false, map[string]any{
		"metadata": map[string]any{"finalizers": []any{dockerFinalizer}},
		"spec":     map[string]any{"controlPlaneEndpoint": map[string]any{"host": host, "port": port}},
	})
	m.patch(t, infra, true, map[string]any{"status": map[string]any{"initialization": map[string]any{"provisioned": true}}})
}

// FinishInfrastructureDeletion waits until Cluster API's cluster controller
// deletes a deleted cluster's DockerCluster (after its MachineDeployments,
// Machines and control plane), then removes the docker provider's
// finalizer, as the provider does once the infrastructure is gone.
func (m *Management) FinishInfrastructureDeletion(t testing.TB, namespace, cluster string) {
	t.Helper()
	infra := m.Ref(t, namespace, cluster, func(c *clusterv1.Cluster) clusterv1.ContractVersionedObjectReference { return c.Spec.InfrastructureRef })
	m.Eventually(t, "DockerCluster of "+cluster+" deleted by Cluster API", func() error {
		if err := m.Client.Get(context.Background(), client.ObjectKeyFromObject(infra), infra); err != nil {
			return err
		}
		if infra.GetDeletionTimestamp() == nil {
			return fmt.Errorf("not deleted yet")
		}
		return nil
	})
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := m.Client.Get(context.Background(), client.ObjectKeyFromObject(infra), infra); err != nil {
			return err
		}
		infra.SetFinalizers(nil)
		return m.Client.Update(context.Background(), infra)
	})
	require.NoError(t, client.IgnoreNotFound(err), "remove the docker provider's finalizer")
}

// ReportControlPlane plays the kubeadm control-plane provider, which does
// not run here (its machines could never become nodes without an
// infrastructure provider): the cluster's KubeadmControlPlane reports an
// initialized, stable control plane of its desired size and version. Once
// it does, the topology controller creates the MachineDeployments and the
// MachineSet preflight checks let Machines be created.
func (m *Management) ReportControlPlane(t testing.TB, namespace, cluster string) {
	t.Helper()
	cp := m.Ref(t, namespace, cluster, func(c *clusterv1.Cluster) clusterv1.ContractVersionedObjectReference { return c.Spec.ControlPlaneRef })
	replicas, _, _ := unstructured.NestedInt64(cp.Object, "spec", "replicas")
	version, _, _ := unstructured.NestedString(cp.Object, "spec", "version")
	m.patch(t, cp, true, map[string]any{"status": map[string]any{
		"initialization":     map[string]any{"controlPlaneInitialized": true},
		"observedGeneration": cp.GetGeneration(),
		"version":            version,
		"replicas":           replicas, "readyReplicas": replicas, "availableReplicas": replicas, "upToDateReplicas": replicas,
	}})
}

// patch merge-patches u (its status subresource when status is true).
func (m *Management) patch(t testing.TB, u *unstructured.Unstructured, status bool, patch map[string]any) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p := client.MergeFrom(u.DeepCopy())
		for k, v := range patch {
			cur, _ := u.Object[k].(map[string]any)
			if cur == nil {
				cur = map[string]any{}
			}
			for kk, vv := range v.(map[string]any) {
				cur[kk] = vv
			}
			u.Object[k] = cur
		}
		if status {
			return m.Client.Status().Patch(context.Background(), u, p)
		}
		return m.Client.Patch(context.Background(), u, p)
	})
	require.NoError(t, err, "patch %s %s", u.GetKind(), u.GetName())
}

// ClusterCA writes the Secret <cluster>-ca holding a CA certificate and
// key, as a control-plane provider or an operator does; from it Cluster
// API's cluster controller makes the kubeconfig Secret of a cluster with no
// control-plane provider.
func (m *Management) ClusterCA(t testing.TB, namespace, cluster string) {
	t.Helper()
	certPEM, keyPEM, err := servingCert("127.0.0.1")
	require.NoError(t, err)
	m.Create(t, &corev1.Secret{
		ObjectMeta: metaObject(namespace, cluster+"-ca", cluster),
		Type:       clusterv1.ClusterSecretType,
		Data:       map[string][]byte{"tls.crt": certPEM, "tls.key": keyPEM},
	})
}

// metaObject names an object of cluster, labelled as Cluster API labels
// the objects it owns.
func metaObject(namespace, name, cluster string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: map[string]string{clusterv1.ClusterNameLabel: cluster}}
}
