package kubetest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// UserKubeconfig adds a user with a client certificate to the API server
// (with no rights beyond what RBAC later grants it) and returns the path of
// a kubeconfig that authenticates as that user.
func (e *Env) UserKubeconfig(t testing.TB, name string, groups ...string) string {
	t.Helper()
	u, err := e.te.AddUser(envtest.User{Name: name, Groups: groups}, e.Config)
	require.NoError(t, err)
	raw, err := u.KubeConfig()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name+".kubeconfig")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	return path
}
