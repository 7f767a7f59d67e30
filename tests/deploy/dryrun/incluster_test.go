package dryrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/clustergate/clustergate/adapters/capi"
	"github.com/clustergate/clustergate/tests/deploy/helmtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// saDir is where the kubelet mounts a pod's service account token and CA.
const saDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// checkInClusterKubeconfig: with capi entries beside the in-cluster
// service account, the chart names the account in a kubeconfig of its own
// (the capi `default` upstream). The real adapter, given that kubeconfig
// with a real token of the chart's ServiceAccount and the API server's CA
// at the kubelet's paths, reaches the API server with the chart's RBAC; a
// wrong token is refused, so it is the token that authenticates.
func checkInClusterKubeconfig(t *testing.T, env *kubetest.Env, r *helmtest.Rendered) {
	var cm corev1.ConfigMap
	r.One(t, "ConfigMap", &cm)
	var sa corev1.ServiceAccount
	var role rbacv1.ClusterRole
	var binding rbacv1.ClusterRoleBinding
	r.One(t, "ServiceAccount", &sa)
	r.One(t, "ClusterRole", &role)
	r.One(t, "ClusterRoleBinding", &binding)
	admin, err := client.New(env.Config, client.Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, obj := range []client.Object{&sa, &role, &binding} {
		require.NoError(t, admin.Create(ctx, obj), "create %T", obj)
	}
	cs, err := kubernetes.NewForConfig(env.Config)
	require.NoError(t, err)
	tok, err := cs.CoreV1().ServiceAccounts(sa.Namespace).CreateToken(ctx, sa.Name,
		&authnv1.TokenRequest{Spec: authnv1.TokenRequestSpec{ExpirationSeconds: ptr(int64(600))}}, metav1.CreateOptions{})
	require.NoError(t, err, "TokenRequest for the chart's ServiceAccount")

	kubeconfig := func(token string) string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "token"), []byte(token), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.crt"), env.Config.CAData, 0o600))
		kc := cm.Data["in-cluster.kubeconfig"]
		require.Contains(t, kc, "https://kubernetes.default.svc")
		kc = strings.ReplaceAll(kc, "https://kubernetes.default.svc", env.Config.Host)
		kc = strings.ReplaceAll(kc, saDir, dir)
		path := filepath.Join(dir, "in-cluster.kubeconfig")
		require.NoError(t, os.WriteFile(path, []byte(kc), 0o600))
		return path
	}
	gate := capi.New(capi.Config{Kubeconfig: kubeconfig(tok.Status.Token), WorkloadTimeout: 5 * time.Second})
	assert.Eventually(t, func() bool { return gate.Ping(ctx) == nil }, 15*time.Second, 100*time.Millisecond,
		"the adapter with the chart's in-cluster kubeconfig cannot list clusters: %v", gate.Ping(ctx))
	bad := capi.New(capi.Config{Kubeconfig: kubeconfig("not-a-token"), WorkloadTimeout: 5 * time.Second})
	assert.Error(t, bad.Ping(ctx), "a wrong token must be refused")
}

func ptr[T any](v T) *T { return &v }
