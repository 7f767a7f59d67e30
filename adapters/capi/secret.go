package capi

// The kubeconfig Secret of a workload cluster, as the Cluster API contract
// names it (sigs.k8s.io/cluster-api/util/secret: Name(cluster, Kubeconfig)
// and KubeconfigDataName). They are restated here rather than imported:
// util/secret links the kubeadm bootstrap API and k8s.io/cluster-bootstrap
// (whose initialisers compile regular expressions) into the binary for two
// strings, about 1 MB of idle RSS; TestKubeconfigSecretContract keeps them
// equal to upstream's.
const (
	// KubeconfigSecretSuffix ends the name of a cluster's kubeconfig Secret.
	KubeconfigSecretSuffix = "-kubeconfig"
	// KubeconfigDataKey is the Secret data key holding the kubeconfig.
	KubeconfigDataKey = "value"
)

// KubeconfigSecretName is the name of cluster's kubeconfig Secret.
func KubeconfigSecretName(cluster string) string { return cluster + KubeconfigSecretSuffix }
