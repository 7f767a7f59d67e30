package capi

import (
	"context"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ClusterDetail is a Cluster with the MachineDeployments labelled with its
// name (for topology clusters, the ones the topology controller made).
type ClusterDetail struct {
	Cluster            clusterv1.Cluster
	MachineDeployments []clusterv1.MachineDeployment
}

// ListClusters lists the Clusters of namespace, or of every namespace when
// it is empty, sorted by namespace then name.
func (a *Adapter) ListClusters(ctx context.Context, namespace string) ([]clusterv1.Cluster, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	var list clusterv1.ClusterList
	if err := c.List(ctx, &list, inNamespace(namespace)...); err != nil {
		return nil, a.classify(err, "list clusters%s", where(namespace))
	}
	sort.Slice(list.Items, func(i, j int) bool { return less(&list.Items[i], &list.Items[j]) })
	return list.Items, nil
}

// GetCluster returns a Cluster with its MachineDeployments.
func (a *Adapter) GetCluster(ctx context.Context, namespace, name string) (*ClusterDetail, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	var d ClusterDetail
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &d.Cluster); err != nil {
		return nil, a.classify(err, "get cluster %s/%s", namespace, name)
	}
	if d.MachineDeployments, err = a.machineDeployments(ctx, c, namespace, name); err != nil {
		return nil, err
	}
	return &d, nil
}

// DeleteCluster asks for the Cluster's deletion. Cluster API's finalizer
// keeps the object while it tears the cluster down; gone reports whether
// the object had already disappeared when the call returned.
func (a *Adapter) DeleteCluster(ctx context.Context, namespace, name string) (gone bool, err error) {
	c, err := a.client()
	if err != nil {
		return false, err
	}
	cluster := &clusterv1.Cluster{}
	cluster.Namespace, cluster.Name = namespace, name
	if err := c.Delete(ctx, cluster); err != nil {
		return false, a.classify(err, "delete cluster %s/%s", namespace, name)
	}
	// The deletion is accepted whatever this read says: a failed read only
	// leaves "gone" unknown, reported as false (get_cluster tells more).
	err = c.Get(ctx, client.ObjectKeyFromObject(cluster), cluster)
	return apierrors.IsNotFound(err), nil
}

// machineDeployments lists a cluster's MachineDeployments by the
// cluster-name label, sorted by name.
func (a *Adapter) machineDeployments(ctx context.Context, c client.Client, namespace, cluster string) ([]clusterv1.MachineDeployment, error) {
	var list clusterv1.MachineDeploymentList
	if err := c.List(ctx, &list, client.InNamespace(namespace), client.MatchingLabels{clusterv1.ClusterNameLabel: cluster}); err != nil {
		return nil, a.classify(err, "list machine deployments of cluster %s/%s", namespace, cluster)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	return list.Items, nil
}

func inNamespace(namespace string) []client.ListOption {
	if namespace == "" {
		return nil
	}
	return []client.ListOption{client.InNamespace(namespace)}
}

func where(namespace string) string {
	if namespace == "" {
		return " in all namespaces"
	}
	return " in namespace " + namespace
}

func less(a, b client.Object) bool {
	if a.GetNamespace() != b.GetNamespace() {
		return a.GetNamespace() < b.GetNamespace()
	}
	return a.GetName() < b.GetName()
}
