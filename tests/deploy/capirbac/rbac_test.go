// Package capirbac proves the chart's Cluster API RBAC against a real
// kube-apiserver (tests/kubetest): the rules `helm template` renders are
// applied, the Cluster API adapter runs as the chart's ServiceAccount
// (impersonated), and
//   - every adapter operation succeeds with exactly those rules (sufficient);
//   - removing any single verb from them breaks the operation that needs it
//     (each one necessary: least privilege);
//   - the narrower rules of config.readOnly and config.disableDestructive
//     suffice for every operation those modes still serve.
//
// It is a package of its own so that a change of the adapter's Go API breaks
// only this test, not the chart's static checks in tests/deploy.
package capirbac

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/clustergate/clustergate/adapters/capi"
	"github.com/clustergate/clustergate/tests/deploy/helmtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

const ns = "capi-rbac" // where the Cluster API objects live

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// forbidden reports whether err is the API server refusing clustergate's identity.
func forbidden(err error) bool { return apierrors.IsForbidden(err) }

type fixture struct {
	env   *kubetest.Env
	admin client.Client // knows rbac/v1 too
	role  *rbacv1.ClusterRole
	gate  *capi.Adapter
	n     int // for unique names
}

func TestCAPIRBACAgainstAPIServer(t *testing.T) {
	// Render first: without helm this skips before starting an API server.
	full := helmtest.Render(t, "--set", "capi.enabled=true")
	readOnly := helmtest.Render(t, "--set", "capi.enabled=true,config.readOnly=true")
	noDestructive := helmtest.Render(t, "--set", "capi.enabled=true,config.disableDestructive=true")

	env := kubetest.Start(t)
	f := setup(t, env, full)

	ops := f.operations(t)
	t.Run("sufficient", func(t *testing.T) {
		for _, op := range ops {
			require.NoError(t, op.run(), "%s with the chart's rules", op.name)
		}
	})

	t.Run("each verb necessary", func(t *testing.T) {
		full := f.role.DeepCopy()
		for i, r := range full.Rules {
			for _, verb := range r.Verbs {
				what := fmt.Sprintf("%s %v", verb, r.Resources)
				var needs []op
				for _, op := range ops {
					if slices.Contains(op.needs, what) {
						needs = append(needs, op)
					}
				}
				require.NotEmpty(t, needs, "no operation is known to need %s: is the rule superfluous?", what)
				reduced := full.DeepCopy()
				reduced.Rules[i].Verbs = slices.DeleteFunc(slices.Clone(r.Verbs), func(v string) bool { return v == verb })
				if len(reduced.Rules[i].Verbs) == 0 { // a rule needs a verb: drop it
					reduced.Rules = slices.Delete(reduced.Rules, i, i+1)
				}
				f.setRules(t, reduced.Rules)
				for _, op := range needs {
					// RBAC changes reach the authorizer through an informer: wait for it.
					var err error
					require.Eventually(t, func() bool { err = op.run(); return err != nil }, 15*time.Second, 100*time.Millisecond,
						"%s still succeeds without %s", op.name, what)
					assert.True(t, forbidden(err) || (op.swallows != "" && strings.Contains(err.Error(), op.swallows)),
						"%s without %s: want the API server's 403, got %v", op.name, what, err)
				}
				t.Logf("without %-35s refused: %s", what, names(needs))
				f.setRules(t, full.Rules)
				for _, op := range needs {
					require.Eventually(t, func() bool { return op.run() == nil }, 15*time.Second, 100*time.Millisecond,
						"%s does not recover once %s is back", op.name, what)
				}
			}
		}
	})

	// The narrower rules of config.readOnly and config.disableDestructive
	// still allow every operation those modes serve.
	for _, mode := range []struct {
		name   string
		render *helmtest.Rendered
		serves func(op) bool
	}{
		{"readOnly rules suffice for reads", readOnly, func(o op) bool { return o.read }},
		{"disableDestructive rules suffice for the rest", noDestructive, func(o op) bool { return !o.destructive }},
	} {
		t.Run(mode.name, func(t *testing.T) {
			var role rbacv1.ClusterRole
			mode.render.One(t, "ClusterRole", &role)
			f.setRules(t, role.Rules)
			defer f.setRules(t, f.role.Rules)
			for _, op := range ops {
				if !mode.serves(op) {
					continue
				}
				var err error
				require.Eventually(t, func() bool { err = op.run(); return err == nil }, 15*time.Second, 100*time.Millisecond,
					"%s with these rules: %v", op.name, err)
			}
		})
	}
}

// setup applies the rendered ServiceAccount, ClusterRole and binding, creates
// the Cluster API objects the operations use, and returns an adapter acting
// as the ServiceAccount.
func setup(t *testing.T, env *kubetest.Env, r *helmtest.Rendered) *fixture {
	scheme := runtime.NewScheme()
	utilruntime.Must(corev1.AddToScheme(scheme))
	utilruntime.Must(rbacv1.AddToScheme(scheme))
	utilruntime.Must(clusterv1.AddToScheme(scheme))
	admin, err := client.New(env.Config, client.Options{Scheme: scheme})
	require.NoError(t, err)

	var sa corev1.ServiceAccount
	var role rbacv1.ClusterRole
	var binding rbacv1.ClusterRoleBinding
	r.One(t, "ServiceAccount", &sa)
	r.One(t, "ClusterRole", &role)
	r.One(t, "ClusterRoleBinding", &binding)
	env.Namespace(t, helmtest.ReleaseNS)
	env.Namespace(t, ns)
	for _, obj := range []client.Object{&sa, &role, &binding} {
		require.NoError(t, admin.Create(ctx(t), obj), "create %T", obj)
	}

	// Cluster API objects, as its controllers would leave them.
	env.Create(t, kubetest.ClusterClass(ns, "cc", []string{"default-worker"}))
	env.Create(t, kubetest.ClassicCluster(ns, "classic"))
	env.Create(t, kubetest.MachineDeployment(ns, "classic", "classic-md-0", "", 1))
	env.Create(t, kubetest.Machine(ns, "classic", "classic-cp-0", true))
	// The workload cluster of "classic" is the test API server itself.
	env.Create(t, kubetest.KubeconfigSecret(ns, "classic", env.Kubeconfig))
	env.Node(t, "node-1", "v1.36.3", true, "control-plane")

	// A kubeconfig that impersonates the ServiceAccount, as the pod's token would authenticate it.
	kc, err := clientcmd.Load(env.Kubeconfig)
	require.NoError(t, err)
	user := kc.Contexts[kc.CurrentContext].AuthInfo
	kc.AuthInfos[user].Impersonate = fmt.Sprintf("system:serviceaccount:%s:%s", sa.Namespace, sa.Name)
	kc.AuthInfos[user].ImpersonateGroups = []string{"system:serviceaccounts", "system:serviceaccounts:" + sa.Namespace, "system:authenticated"}
	path := filepath.Join(t.TempDir(), "sa-kubeconfig")
	require.NoError(t, clientcmd.WriteToFile(*kc, path))
	require.NoError(t, os.Chmod(path, 0o600))

	gate := capi.New(capi.Config{Kubeconfig: path, WorkloadTimeout: 5 * time.Second})
	// The binding is in place before the first call.
	require.Eventually(t, func() bool { return gate.Ping(ctx(t)) == nil }, 15*time.Second, 100*time.Millisecond)
	return &fixture{env: env, admin: admin, role: role.DeepCopy(), gate: gate}
}

func (f *fixture) setRules(t *testing.T, rules []rbacv1.PolicyRule) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cur rbacv1.ClusterRole
		if err := f.admin.Get(ctx(t), client.ObjectKeyFromObject(f.role), &cur); err != nil {
			return err
		}
		cur.Rules = rules
		return f.admin.Update(ctx(t), &cur)
	})
	require.NoError(t, err)
}

// op is one adapter call and the (verb [resource]) grants it needs.
type op struct {
	name        string
	run         func() error
	needs       []string
	read        bool // a read-only tool's call
	destructive bool // a destructive tool's call (delete_cluster, scale_cluster)
	// swallows is set when the adapter may turn a refusal into another
	// answer: the error text it gives instead of the 403.
	swallows string
}

func (f *fixture) operations(t *testing.T) []op {
	one := int32(1)
	// A topology cluster made through the adapter, and the MachineDeployment
	// the topology controller would make for its worker md-0.
	_, err := f.gate.CreateCluster(ctx(t), ns, capi.CreateRequest{Name: "topo", Class: "cc", Version: "v1.36.3",
		Workers: []capi.Worker{{Class: "default-worker", Name: "md-0", Replicas: &one}}})
	require.NoError(t, err, "create the topology cluster as the ServiceAccount")
	f.env.Create(t, kubetest.MachineDeployment(ns, "topo", "topo-md-0-x7k2p", "md-0", 1))
	f.env.Create(t, kubetest.Machine(ns, "topo", "topo-cp-0", true))

	replicas := int32(1)
	scale := func(cluster, md string) func() error {
		return func() error {
			replicas = replicas%5 + 1
			_, err := f.gate.ScaleCluster(ctx(t), ns, cluster, capi.ScaleRequest{Replicas: replicas, MachineDeployment: md})
			return err
		}
	}
	return []op{
		{name: "Ping", read: true, needs: []string{"list [clusters]"},
			run: func() error { return f.gate.Ping(ctx(t)) }},
		{name: "ListClusters (all namespaces)", read: true, needs: []string{"list [clusters]"},
			run: func() error { _, err := f.gate.ListClusters(ctx(t), ""); return err }},
		{name: "GetCluster", read: true, needs: []string{"get [clusters]", "list [machinedeployments]"},
			run: func() error {
				d, err := f.gate.GetCluster(ctx(t), ns, "classic")
				if err == nil && len(d.MachineDeployments) != 1 {
					return fmt.Errorf("want 1 machine deployment, got %d", len(d.MachineDeployments))
				}
				return err
			}},
		{name: "ListTemplates", read: true, needs: []string{"list [clusterclasses]"},
			run: func() error { _, err := f.gate.ListTemplates(ctx(t), ""); return err }},
		{name: "CreateCluster (dry run)", needs: []string{"get [clusterclasses]", "create [clusters]"},
			run: func() error {
				_, err := f.gate.CreateCluster(ctx(t), ns, capi.CreateRequest{Name: "dry", Class: "cc", Version: "v1.36.3", DryRun: true})
				return err
			}},
		{name: "ScaleCluster (topology)", destructive: true, needs: []string{"get [clusters]", "patch [clusters]"},
			run: scale("topo", "")},
		{name: "ScaleCluster (topology, by MachineDeployment name)", needs: []string{"get [machinedeployments]"},
			destructive: true, run: scale("topo", "topo-md-0-x7k2p")},
		{name: "ScaleCluster (classic, scale subresource)", destructive: true, needs: []string{"update [machinedeployments/scale]", "list [machinedeployments]"},
			run: scale("classic", "")},
		{name: "Kubeconfig", read: true, needs: []string{"get [secrets]"},
			run: func() error { _, err := f.gate.Kubeconfig(ctx(t), ns, "classic"); return err }},
		{name: "Nodes (workload cluster)", read: true, swallows: "want Nodes", needs: []string{"get [secrets]"},
			run: func() error {
				rep, err := f.gate.Nodes(ctx(t), ns, "classic")
				if err == nil && rep.FallbackReason != "" {
					return fmt.Errorf("want Nodes, got the Machines fallback: %s", rep.FallbackReason)
				}
				return err
			}},
		{name: "Nodes (Machines fallback)", read: true, needs: []string{"list [machines]"},
			run: func() error {
				rep, err := f.gate.Nodes(ctx(t), ns, "topo")
				if err == nil && len(rep.Machines) != 1 {
					return fmt.Errorf("want the Machines fallback with 1 machine, got %+v", rep)
				}
				return err
			}},
		{name: "DeleteCluster", destructive: true, needs: []string{"delete [clusters]"},
			run: func() error {
				f.n++
				name := fmt.Sprintf("doomed-%d", f.n)
				if err := f.admin.Create(ctx(t), kubetest.ClassicCluster(ns, name)); err != nil {
					return fmt.Errorf("fixture: %w", err)
				}
				gone, err := f.gate.DeleteCluster(ctx(t), ns, name)
				if err == nil && !gone {
					return errors.New("cluster without finalizer not gone after delete")
				}
				if err != nil {
					// Leave nothing behind for the next attempt.
					_ = f.admin.Delete(ctx(t), kubetest.ClassicCluster(ns, name))
				}
				return err
			}},
	}
}

func names(ops []op) string {
	var s []string
	for _, o := range ops {
		s = append(s, o.name)
	}
	return strings.Join(s, "; ")
}
