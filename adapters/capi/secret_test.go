package capi

import (
	"testing"

	"sigs.k8s.io/cluster-api/util/secret"
)

// The restated kubeconfig Secret contract must stay upstream's.
func TestKubeconfigSecretContract(t *testing.T) {
	if got, want := KubeconfigSecretName("c1"), secret.Name("c1", secret.Kubeconfig); got != want {
		t.Errorf("KubeconfigSecretName(c1) = %q, cluster-api says %q", got, want)
	}
	if got, want := KubeconfigSecretName("c1"), "c1-kubeconfig"; got != want {
		t.Errorf("KubeconfigSecretName(c1) = %q, want %q", got, want)
	}
	if KubeconfigDataKey != secret.KubeconfigDataName {
		t.Errorf("KubeconfigDataKey = %q, cluster-api says %q", KubeconfigDataKey, secret.KubeconfigDataName)
	}
}
