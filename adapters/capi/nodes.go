package capi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/tools/clientcmd"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/clustergate/clustergate/internal/apierr"
)

// Kubeconfig is a cluster's admin kubeconfig and the Secret it came from.
// Data is a credential: never log it, nor an error that quotes it.
type Kubeconfig struct {
	Secret string
	Data   []byte
}

// NodeReport lists a workload cluster's Nodes, or, when its API could not
// be used, the cluster's Machines and the reason.
type NodeReport struct {
	Nodes          []corev1.Node
	Machines       []clusterv1.Machine
	FallbackReason string // empty when Nodes came from the workload cluster
}

// Kubeconfig reads the kubeconfig Cluster API stores for a cluster: Secret
// <cluster>-kubeconfig, key "value". A missing cluster or Secret is a 404.
func (a *Adapter) Kubeconfig(ctx context.Context, namespace, name string) (*Kubeconfig, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &clusterv1.Cluster{}); err != nil {
		return nil, a.classify(err, "get cluster %s/%s", namespace, name)
	}
	return a.readKubeconfig(ctx, c, namespace, name)
}

func (a *Adapter) readKubeconfig(ctx context.Context, c client.Client, namespace, cluster string) (*Kubeconfig, error) {
	key := client.ObjectKey{Namespace: namespace, Name: KubeconfigSecretName(cluster)}
	var s corev1.Secret
	if err := c.Get(ctx, key, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, notFound("cluster %s/%s has no kubeconfig Secret %s yet: its control plane is not initialized", namespace, cluster, key.Name)
		}
		return nil, a.classify(err, "get Secret %s", key)
	}
	data := s.Data[KubeconfigDataKey]
	if len(data) == 0 {
		return nil, apierr.Upstream(Name, http.StatusBadGateway, nil, "capi: Secret %s has no %q key", key, KubeconfigDataKey)
	}
	return &Kubeconfig{Secret: key.Name, Data: data}, nil
}

// Nodes lists the workload cluster's Nodes through its kubeconfig Secret.
// When that fails (no Secret yet, a bad kubeconfig, an API that does not
// answer within the workload timeout or refuses), it lists the cluster's
// Machines instead and says why. A missing cluster is a 404.
func (a *Adapter) Nodes(ctx context.Context, namespace, name string) (*NodeReport, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &clusterv1.Cluster{}); err != nil {
		return nil, a.classify(err, "get cluster %s/%s", namespace, name)
	}
	nodes, why := a.workloadNodes(ctx, c, namespace, name)
	if why == "" {
		return &NodeReport{Nodes: nodes}, nil
	}
	var machines clusterv1.MachineList
	err = c.List(ctx, &machines, client.InNamespace(namespace), client.MatchingLabels{clusterv1.ClusterNameLabel: name})
	if err != nil {
		return nil, a.classify(err, "list machines of cluster %s/%s (after: %s)", namespace, name, why)
	}
	sort.Slice(machines.Items, func(i, j int) bool { return machines.Items[i].Name < machines.Items[j].Name })
	return &NodeReport{Machines: machines.Items, FallbackReason: why}, nil
}

// workloadNodes lists the Nodes of the workload cluster, sorted by name, or
// returns why it could not.
func (a *Adapter) workloadNodes(ctx context.Context, c client.Client, namespace, name string) ([]corev1.Node, string) {
	kc, err := a.readKubeconfig(ctx, c, namespace, name)
	if err != nil {
		return nil, strings.TrimPrefix(apierr.From(err).Message, "capi: ")
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc.Data)
	if err != nil {
		// The parser's message may quote the file: keep it out of answers and logs.
		return nil, fmt.Sprintf("the kubeconfig in Secret %s/%s cannot be read", namespace, kc.Secret)
	}
	cfg.Timeout = a.cfg.WorkloadTimeout
	// A static mapper: Nodes are all this client reads, so it needs no
	// discovery round trips to a cluster that may be slow or half up.
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(corev1.SchemeGroupVersion.WithKind("Node"), meta.RESTScopeRoot)
	mapper.Add(corev1.SchemeGroupVersion.WithKind("NodeList"), meta.RESTScopeRoot)
	wc, err := newClient(cfg, mapper)
	if err != nil {
		return nil, fmt.Sprintf("no client for the workload cluster: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, a.cfg.WorkloadTimeout)
	defer cancel()
	var nodes corev1.NodeList
	if err := wc.List(wctx, &nodes); err != nil {
		return nil, "the workload cluster's API did not list its nodes: " + workloadError(err, a.cfg.WorkloadTimeout)
	}
	sort.Slice(nodes.Items, func(i, j int) bool { return nodes.Items[i].Name < nodes.Items[j].Name })
	return nodes.Items, ""
}

func workloadError(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer within " + timeout.String()
	}
	return err.Error()
}
