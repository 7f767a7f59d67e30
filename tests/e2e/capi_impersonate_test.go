package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/deploy/helmtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// TestCapiImpersonation runs clustergate with a management-cluster identity
// that may only impersonate, and --capi-impersonate: what each caller sees
// is what the management cluster's own RBAC grants that caller. alice (a
// viewer key) may read Clusters in team-a only; the group clustergate:admin
// (every admin caller) may read team-b.
func TestCapiImpersonation(t *testing.T) {
	env := kubetest.Start(t)
	for _, ns := range []string{"team-a", "team-b"} {
		env.Namespace(t, ns)
	}
	env.Create(t, kubetest.ClassicCluster("team-a", "a1"))
	env.Create(t, kubetest.ClassicCluster("team-b", "b1"))
	grantClusterRead(t, env, "team-a", rbacv1.Subject{Kind: rbacv1.UserKind, Name: "alice"})
	grantClusterRead(t, env, "team-b", rbacv1.Subject{Kind: rbacv1.GroupKind, Name: "clustergate:admin"})
	// clustergate's own identity gets the rules the Helm chart renders for
	// capi.impersonate: impersonation and nothing else.
	var chartRole rbacv1.ClusterRole
	helmtest.Render(t, "--set", "capi.enabled=true,capi.impersonate=true,secrets.apiKeys=admin=x").One(t, "ClusterRole", &chartRole)
	require.Equal(t, []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"users", "groups"}, Verbs: []string{"impersonate"}}},
		chartRole.Rules, "the chart grants impersonation only")
	env.Create(t, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "clustergate-impersonator"}, Rules: chartRole.Rules})
	env.Create(t, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "clustergate-impersonator"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, Name: "clustergate"}},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "clustergate-impersonator"}})
	kubeconfig := env.UserKubeconfig(t, "clustergate")

	keys := keysFile(t, map[string]string{"alice": "viewer", "carol": "admin"})
	on := cgtest.Start(t, map[string]string{"KUBECONFIG": kubeconfig, "CLUSTERGATE_CAPI_IMPERSONATE": "true",
		"CLUSTERGATE_API_KEYS_FILE": keys})
	alice, carol := capiClient(t, on, "alice-secret"), capiClient(t, on, "carol-secret")

	names := func(c *capi.ClientWithResponses, ns string) (int, []string, string) {
		res, err := c.ListnamespacedclustersWithResponse(ctx(t), ns, nil)
		require.NoError(t, err)
		var out []string
		if res.JSON200 != nil {
			for _, cl := range res.JSON200.Items {
				out = append(out, cl.Name)
			}
		}
		return res.StatusCode(), out, string(res.Body)
	}
	status, got, _ := names(alice, "team-a")
	assert.Equal(t, 200, status)
	assert.Equal(t, []string{"a1"}, got, "alice sees team-a's clusters")
	status, _, body := names(alice, "team-b")
	assert.Equal(t, 403, status, body)
	assert.Contains(t, body, `User \"alice\" cannot list resource \"clusters\"`, "the API server's own words")
	status, got, body = names(carol, "team-b")
	assert.Equal(t, 200, status, body)
	assert.Equal(t, []string{"b1"}, got, "carol reads team-b through the clustergate:admin group")
	status, _, body = names(carol, "team-a")
	assert.Equal(t, 403, status, body)

	// The same identity without impersonation reads nothing: the answers
	// above came from the callers' rights, not clustergate's.
	off := cgtest.Start(t, map[string]string{"KUBECONFIG": kubeconfig, "CLUSTERGATE_API_KEYS_FILE": keys})
	status, _, body = names(capiClient(t, off, "alice-secret"), "team-a")
	assert.Equal(t, 502, status, body)
	assert.Contains(t, body, "refused clustergate's identity")
}

func grantClusterRead(t *testing.T, env *kubetest.Env, ns string, who rbacv1.Subject) {
	t.Helper()
	name := "cluster-reader-" + strings.ToLower(who.Name)
	name = strings.ReplaceAll(name, ":", "-")
	env.Create(t, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"cluster.x-k8s.io"}, Resources: []string{"clusters", "machinedeployments"}, Verbs: []string{"get", "list"}}}})
	env.Create(t, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Subjects: []rbacv1.Subject{who},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}})
}

// keysFile writes an --api-keys-file whose key for each name is
// "<name>-secret", with the role given.
func keysFile(t *testing.T, roles map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("keys:\n")
	for name, role := range roles {
		sum := sha256.Sum256([]byte(name + "-secret"))
		fmt.Fprintf(&b, "  - name: %s\n    role: %s\n    sha256: %s\n", name, role, hex.EncodeToString(sum[:]))
	}
	path := filepath.Join(t.TempDir(), "keys.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

func capiClient(t *testing.T, g *cgtest.Gate, key string) *capi.ClientWithResponses {
	t.Helper()
	c, err := capi.NewClientWithResponses(g.URL, capi.WithRequestEditorFn(cgtest.Bearer(key)))
	require.NoError(t, err)
	return c
}
