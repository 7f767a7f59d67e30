// Package deploy checks clustergate's deployment files without a cluster or
// a Docker engine: the Dockerfile statically (and .dockerignore against what
// the build reads), and the Helm chart (deploy/clustergate) with the real helm
// binary (`helm lint`, `helm template`) and assertions on the rendered objects,
// decoded into the Kubernetes API types. See helmtest for where helm comes from.
package deploy

import (
	"encoding/base64"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/tests/deploy/helmtest"
)

// settingEnvs returns the environment variable of every clustergate setting,
// and of the secret ones, from config.Config's tags: the chart may set only
// real settings, and the secret ones only through secretKeyRef.
func settingEnvs() (all, secret map[string]bool) {
	all, secret = map[string]bool{}, map[string]bool{}
	typ := reflect.TypeFor[config.Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		env := f.Tag.Get("env")
		if env == "" {
			continue
		}
		all[env] = true
		if f.Tag.Get("secret") == "true" {
			secret[env] = true
		}
	}
	return all, secret
}

// rule is one RBAC rule, comparable.
type rule struct {
	Group, Resource string
	Verbs           string // sorted, comma-separated
}

// The Cluster API adapter's calls (adapters/capi), as RBAC rules.
var (
	capiRulesFull = []rule{
		{"", "secrets", "get"},                                           // nodes.go readKubeconfig
		{"cluster.x-k8s.io", "clusterclasses", "get,list"},               // create.go Get, templates.go List
		{"cluster.x-k8s.io", "clusters", "create,delete,get,list,patch"}, // create.go, clusters.go, scale.go, nodes.go, adapter.go Ping
		{"cluster.x-k8s.io", "machinedeployments", "get,list"},           // scale.go topologyName, clusters.go machineDeployments
		{"cluster.x-k8s.io", "machinedeployments/scale", "update"},       // scale.go scaleMachineDeployment
		{"cluster.x-k8s.io", "machines", "list"},                         // nodes.go Nodes fallback
	}
	// config.readOnly: only the read-only tools remain.
	capiRulesReadOnly = []rule{
		{"", "secrets", "get"},
		{"cluster.x-k8s.io", "clusterclasses", "get,list"},
		{"cluster.x-k8s.io", "clusters", "get,list"},
		{"cluster.x-k8s.io", "machinedeployments", "list"},
		{"cluster.x-k8s.io", "machines", "list"},
	}
	// config.disableDestructive: delete_cluster and scale_cluster go;
	// create_cluster (not destructive) stays.
	capiRulesNoDestructive = []rule{
		{"", "secrets", "get"},
		{"cluster.x-k8s.io", "clusterclasses", "get,list"},
		{"cluster.x-k8s.io", "clusters", "create,get,list"},
		{"cluster.x-k8s.io", "machinedeployments", "list"},
		{"cluster.x-k8s.io", "machines", "list"},
	}
)

// flatten turns RBAC rules into one rule per (group, resource), refusing
// wildcards, resourceNames and nonResourceURLs.
func flatten(t testing.TB, rules []rbacv1.PolicyRule) []rule {
	t.Helper()
	var out []rule
	for _, r := range rules {
		assert.Empty(t, r.NonResourceURLs, "nonResourceURLs in %+v", r)
		assert.Empty(t, r.ResourceNames, "resourceNames in %+v", r)
		for _, field := range [][]string{r.APIGroups, r.Resources, r.Verbs} {
			for _, v := range field {
				assert.NotContains(t, v, "*", "wildcard in rule %+v", r)
			}
		}
		verbs := slices.Clone(r.Verbs)
		sort.Strings(verbs)
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				out = append(out, rule{g, res, strings.Join(verbs, ",")})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Resource < out[j].Resource
	})
	return out
}

var rbacKinds = []string{"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}

func TestHelmLint(t *testing.T) {
	for name, args := range map[string][]string{
		"defaults":  nil,
		"capi":      {"--set", "capi.enabled=true,replicaCount=3,secrets.existingSecret=cg-keys"},
		"upstreams": {"-f", upstreamsValues},
	} {
		t.Run(name, func(t *testing.T) {
			full := append([]string{"lint", "--strict", helmtest.ChartDir(t)}, args...)
			out, stderr, err := helmtest.Run(t, full...)
			require.NoError(t, err, "helm %s\n%s%s", strings.Join(full, " "), out, stderr)
			assert.Contains(t, out, "1 chart(s) linted, 0 chart(s) failed")
		})
	}
}

func TestChartDefaults(t *testing.T) {
	r := helmtest.Render(t)
	checkCommon(t, r)

	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	assert.Equal(t, int32(2), *dep.Spec.Replicas)
	c := dep.Spec.Template.Spec.Containers[0]
	env := envMap(c)
	assert.Equal(t, "true", env["CLUSTERGATE_MCP_STATELESS"].Value, "2 replicas: MCP must be stateless")
	assert.Equal(t, "false", env["CLUSTERGATE_READ_ONLY"].Value)
	assert.Equal(t, "false", env["CLUSTERGATE_DISABLE_DESTRUCTIVE"].Value)
	for _, name := range []string{"CLUSTERGATE_API_KEYS", "INCUS_API_KEY", "PORTWORX_API_KEY", "KUBECONFIG"} {
		assert.NotContains(t, env, name, "nothing configured: %s must be unset", name)
	}
	// Cluster API off: no Kubernetes credentials, no RBAC.
	require.NotNil(t, dep.Spec.Template.Spec.AutomountServiceAccountToken)
	assert.False(t, *dep.Spec.Template.Spec.AutomountServiceAccountToken)
	for _, k := range rbacKinds {
		assert.Empty(t, r.Kinds(k), "%s rendered without capi.enabled", k)
	}
	assert.Empty(t, r.Kinds("Secret"), "no secret values given: the chart must create no Secret")

	var np networkingv1.NetworkPolicy
	r.One(t, "NetworkPolicy", &np)
	assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}, np.Spec.PolicyTypes,
		"egress is unrestricted when networkPolicy.egress.to is empty")
	assert.Empty(t, np.Spec.Egress)
	require.Len(t, np.Spec.Ingress, 2)
	for i, port := range []string{"http", "mcp"} {
		require.Len(t, np.Spec.Ingress[i].Ports, 1)
		assert.Equal(t, port, np.Spec.Ingress[i].Ports[0].Port.String())
		assert.Empty(t, np.Spec.Ingress[i].From, "no selectors configured: any source")
	}
}

func TestChartCAPIReplicasExistingSecret(t *testing.T) {
	r := helmtest.Render(t, "--set", "capi.enabled=true,replicaCount=3,secrets.existingSecret=cg-keys")
	checkCommon(t, r)

	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	assert.Equal(t, int32(3), *dep.Spec.Replicas)
	spec := dep.Spec.Template.Spec
	require.NotNil(t, spec.AutomountServiceAccountToken)
	assert.True(t, *spec.AutomountServiceAccountToken, "the in-cluster Cluster API adapter needs the service account token")
	env := envMap(spec.Containers[0])
	assert.Equal(t, "true", env["CLUSTERGATE_MCP_STATELESS"].Value)
	assert.NotContains(t, env, "KUBECONFIG", "in-cluster: the service account, not a kubeconfig")
	for name, key := range map[string]string{
		"CLUSTERGATE_API_KEYS": "api-keys", "INCUS_API_KEY": "incus-api-key", "PORTWORX_API_KEY": "portworx-api-key",
	} {
		require.Contains(t, env, name)
		ref := env[name].ValueFrom.SecretKeyRef
		require.NotNil(t, ref, name)
		assert.Equal(t, "cg-keys", ref.Name, name)
		assert.Equal(t, key, ref.Key, name)
		require.NotNil(t, ref.Optional, name)
		assert.True(t, *ref.Optional, "%s: an existing Secret may lack the key", name)
	}
	assert.Empty(t, r.Kinds("Secret"), "existingSecret: the chart must not create a Secret")

	var sa corev1.ServiceAccount
	r.One(t, "ServiceAccount", &sa)
	assert.Equal(t, helmtest.Fullname, sa.Name)
	assert.Equal(t, spec.ServiceAccountName, sa.Name)

	var role rbacv1.ClusterRole
	r.One(t, "ClusterRole", &role)
	assert.Equal(t, capiRulesFull, flatten(t, role.Rules))
	assert.Nil(t, role.AggregationRule)
	var binding rbacv1.ClusterRoleBinding
	r.One(t, "ClusterRoleBinding", &binding)
	assert.Equal(t, rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name}, binding.RoleRef)
	assert.Equal(t, []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa.Name, Namespace: helmtest.ReleaseNS}}, binding.Subjects)
	assert.Empty(t, r.Kinds("Role"))
	assert.Empty(t, r.Kinds("RoleBinding"))
}

func TestChartCAPIRBACModes(t *testing.T) {
	clusterRules := func(t *testing.T, r *helmtest.Rendered) []rule {
		var role rbacv1.ClusterRole
		r.One(t, "ClusterRole", &role)
		return flatten(t, role.Rules)
	}
	t.Run("readOnly", func(t *testing.T) {
		r := helmtest.Render(t, "--set", "capi.enabled=true,config.readOnly=true")
		checkCommon(t, r)
		assert.Equal(t, capiRulesReadOnly, clusterRules(t, r))
	})
	t.Run("disableDestructive", func(t *testing.T) {
		r := helmtest.Render(t, "--set", "capi.enabled=true,config.disableDestructive=true")
		checkCommon(t, r)
		assert.Equal(t, capiRulesNoDestructive, clusterRules(t, r))
	})
	t.Run("noKubeconfigSecrets", func(t *testing.T) {
		r := helmtest.Render(t, "--set", "capi.enabled=true,capi.rbac.kubeconfigSecrets=false")
		checkCommon(t, r)
		assert.Equal(t, capiRulesFull[1:], clusterRules(t, r), "no rule on Secrets")
	})
	t.Run("namespaces", func(t *testing.T) {
		r := helmtest.Render(t, "--set", "capi.enabled=true,capi.rbac.namespaces={team-a,team-b}")
		checkCommon(t, r)
		assert.Empty(t, r.Kinds("ClusterRole"))
		assert.Empty(t, r.Kinds("ClusterRoleBinding"))
		roles, bindings := r.Kinds("Role"), r.Kinds("RoleBinding")
		require.Len(t, roles, 2)
		require.Len(t, bindings, 2)
		for i, ns := range []string{"team-a", "team-b"} {
			var role rbacv1.Role
			helmtest.DecodeStrict(t, roles[i], &role)
			assert.Equal(t, ns, role.Namespace)
			assert.Equal(t, capiRulesFull, flatten(t, role.Rules))
			var b rbacv1.RoleBinding
			helmtest.DecodeStrict(t, bindings[i], &b)
			assert.Equal(t, ns, b.Namespace)
			assert.Equal(t, rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role.Name}, b.RoleRef)
			assert.Equal(t, []rbacv1.Subject{{Kind: "ServiceAccount", Name: helmtest.Fullname, Namespace: helmtest.ReleaseNS}}, b.Subjects)
		}
	})
	t.Run("remoteKubeconfig", func(t *testing.T) {
		r := helmtest.Render(t, "--set", "capi.enabled=true,capi.kubeconfigSecret=mgmt-kubeconfig")
		checkCommon(t, r)
		for _, k := range rbacKinds {
			assert.Empty(t, r.Kinds(k), "a remote management cluster: no %s here", k)
		}
		var dep appsv1.Deployment
		r.One(t, "Deployment", &dep)
		spec := dep.Spec.Template.Spec
		assert.False(t, *spec.AutomountServiceAccountToken, "a kubeconfig, not the service account token")
		assert.Equal(t, "/etc/clustergate/kube/kubeconfig", envMap(spec.Containers[0])["KUBECONFIG"].Value)
		vol := volume(t, spec, "kubeconfig")
		require.NotNil(t, vol.Secret)
		assert.Equal(t, "mgmt-kubeconfig", vol.Secret.SecretName)
		assert.Equal(t, []corev1.KeyToPath{{Key: "kubeconfig", Path: "kubeconfig"}}, vol.Secret.Items)
	})
	t.Run("capiDisabledIgnoresRBACSettings", func(t *testing.T) {
		r := helmtest.Render(t, "--set", "capi.rbac.namespaces={team-a}")
		for _, k := range rbacKinds {
			assert.Empty(t, r.Kinds(k))
		}
	})
}

func TestChartInlineSecrets(t *testing.T) {
	const apiKeys, incusKey = "admin=Sup3rS3cretAdminKey,viewer=V13werKey", "incus-T0ken-value"
	r := helmtest.Render(t, "--set-string", "secrets.apiKeys="+strings.ReplaceAll(apiKeys, ",", `\,`)+",secrets.incusApiKey="+incusKey)
	checkCommon(t, r)

	var sec corev1.Secret
	o := r.One(t, "Secret", &sec)
	assert.Equal(t, helmtest.Fullname, sec.Name)
	assert.Equal(t, map[string][]byte{"api-keys": []byte(apiKeys), "incus-api-key": []byte(incusKey)}, sec.Data,
		"only the given values, under their keys")
	// The values appear nowhere else: not in env values, annotations, a ConfigMap or NOTES.
	for _, other := range r.Objects {
		if other.Source == o.Source {
			continue
		}
		for _, v := range []string{"Sup3rS3cretAdminKey", "V13werKey", incusKey,
			base64.StdEncoding.EncodeToString([]byte(apiKeys)), base64.StdEncoding.EncodeToString([]byte(incusKey))} {
			assert.NotContains(t, string(other.Raw), v, "%s %s holds a secret value", other.Kind, other.Name)
		}
	}

	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	env := envMap(dep.Spec.Template.Spec.Containers[0])
	for name, key := range map[string]string{"CLUSTERGATE_API_KEYS": "api-keys", "INCUS_API_KEY": "incus-api-key"} {
		require.Contains(t, env, name)
		ref := env[name].ValueFrom.SecretKeyRef
		require.NotNil(t, ref, name)
		assert.Equal(t, corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: helmtest.Fullname}, Key: key}, *ref)
	}
	assert.NotContains(t, env, "PORTWORX_API_KEY", "not given: not referenced")
	assert.Contains(t, dep.Spec.Template.Annotations, "checksum/secret", "pods roll when the Secret changes")
}

func TestChartUpstreamsAndEgress(t *testing.T) {
	r := helmtest.Render(t,
		"--set", "replicaCount=1,incus.url=https://incus.example:8443,incus.tls.secretName=incus-tls",
		"--set", "portworx.endpoint=https://px.example:9021,portworx.retries=0,portworx.tls.secretName=px-tls,portworx.tls.clientCertKey=,portworx.tls.clientKeyKey=",
		"--set", "networkPolicy.egress.to[0].cidr=10.0.0.0/24,networkPolicy.egress.to[0].ports[0].port=8443",
		"--set", "networkPolicy.egress.to[1].cidr=10.1.0.0/16,networkPolicy.egress.to[1].ports[0].port=9021",
		"--set", "networkPolicy.ingress.mcpFrom[0].podSelector.matchLabels.role=agent",
	)
	checkCommon(t, r)

	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	spec := dep.Spec.Template.Spec
	env := envMap(spec.Containers[0])
	want := map[string]string{
		"CLUSTERGATE_MCP_STATELESS": "false", // one replica, auto
		"INCUS_URL":                 "https://incus.example:8443",
		"INCUS_CLIENT_CERT":         "/etc/clustergate/incus/tls.crt",
		"INCUS_CLIENT_KEY":          "/etc/clustergate/incus/tls.key",
		"INCUS_SERVER_CERT":         "/etc/clustergate/incus/server.crt",
		"PORTWORX_ENDPOINT":         "https://px.example:9021",
		"PORTWORX_RETRIES":          "0",
		"PORTWORX_CA_FILE":          "/etc/clustergate/portworx/ca.crt",
	}
	for name, v := range want {
		assert.Equal(t, v, env[name].Value, name)
	}
	assert.NotContains(t, env, "PORTWORX_CLIENT_CERT", "key set to empty: setting left out")
	assert.Equal(t, "incus-tls", volume(t, spec, "incus-tls").Secret.SecretName)
	assert.Equal(t, "px-tls", volume(t, spec, "portworx-tls").Secret.SecretName)

	var np networkingv1.NetworkPolicy
	r.One(t, "NetworkPolicy", &np)
	assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes)
	require.Len(t, np.Spec.Ingress, 2)
	assert.Empty(t, np.Spec.Ingress[0].From, "http: any source")
	require.Len(t, np.Spec.Ingress[1].From, 1)
	assert.Equal(t, map[string]string{"role": "agent"}, np.Spec.Ingress[1].From[0].PodSelector.MatchLabels)
	require.Len(t, np.Spec.Egress, 3, "DNS and the two upstreams")
	dns := np.Spec.Egress[0]
	require.Len(t, dns.Ports, 2)
	for _, p := range dns.Ports {
		assert.Equal(t, 53, p.Port.IntValue())
	}
	require.Len(t, dns.To, 1)
	assert.Equal(t, "kube-system", dns.To[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"])
	for i, want := range []struct {
		cidr string
		port int
	}{{"10.0.0.0/24", 8443}, {"10.1.0.0/16", 9021}} {
		e := np.Spec.Egress[i+1]
		require.Len(t, e.To, 1)
		assert.Equal(t, want.cidr, e.To[0].IPBlock.CIDR)
		require.Len(t, e.Ports, 1)
		assert.Equal(t, want.port, e.Ports[0].Port.IntValue())
		assert.Equal(t, corev1.ProtocolTCP, *e.Ports[0].Protocol)
	}
}

func TestChartMCPDisabled(t *testing.T) {
	r := helmtest.Render(t, "--set", "mcp.enabled=false")
	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	c := dep.Spec.Template.Spec.Containers[0]
	assert.Equal(t, "", envMap(c)["CLUSTERGATE_MCP_ADDR"].Value, "empty address disables the MCP listener")
	require.Len(t, c.Ports, 1)
	var svc corev1.Service
	r.One(t, "Service", &svc)
	require.Len(t, svc.Spec.Ports, 1)
	assert.Equal(t, int32(8080), svc.Spec.Ports[0].Port)
}

func TestChartRefusesBadValues(t *testing.T) {
	assert.Contains(t, helmtest.RenderFails(t, "--set", "secrets.existingSecret=cg-keys,secrets.apiKeys=admin=x"),
		"either secrets.existingSecret or the inline values")
	assert.Contains(t, helmtest.RenderFails(t, "--set", "mcp.stateless=sometimes"), "mcp.stateless must be auto, true or false")
}

// checkCommon asserts what every render must hold.
func checkCommon(t *testing.T, r *helmtest.Rendered) {
	t.Helper()
	allEnvs, secretEnvs := settingEnvs()

	// Settings are env; the one ConfigMap is the named upstreams' config file
	// (upstreams_test.go checks it holds no secret).
	for _, cm := range r.Kinds("ConfigMap") {
		assert.Equal(t, helmtest.Fullname+"-upstreams", cm.Name, "settings are env; secrets never go in a ConfigMap")
	}
	for _, o := range r.Objects {
		switch o.Kind {
		case "ClusterRole", "ClusterRoleBinding":
			assert.Empty(t, o.Namespace, "%s %s is cluster-scoped", o.Kind, o.Name)
		case "Role", "RoleBinding":
			assert.NotEmpty(t, o.Namespace, "%s %s names its namespace (capi.rbac.namespaces)", o.Kind, o.Name)
		default:
			assert.Equal(t, helmtest.ReleaseNS, o.Namespace, "%s %s must be in the release namespace", o.Kind, o.Name)
		}
	}

	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	assert.Equal(t, helmtest.Fullname, dep.Name)
	pod := dep.Spec.Template.Spec
	assert.Equal(t, dep.Spec.Selector.MatchLabels, map[string]string{
		"app.kubernetes.io/name": "clustergate", "app.kubernetes.io/instance": helmtest.ReleaseName})
	for k, v := range dep.Spec.Selector.MatchLabels {
		assert.Equal(t, v, dep.Spec.Template.Labels[k], "pod label %s", k)
	}
	for _, k := range []string{"helm.sh/chart", "app.kubernetes.io/name", "app.kubernetes.io/instance",
		"app.kubernetes.io/version", "app.kubernetes.io/managed-by"} {
		assert.NotEmpty(t, dep.Labels[k], "standard label %s", k)
	}

	// Pod security: the restricted Pod Security Standard.
	require.NotNil(t, pod.SecurityContext)
	require.NotNil(t, pod.SecurityContext.RunAsNonRoot)
	assert.True(t, *pod.SecurityContext.RunAsNonRoot)
	require.NotNil(t, pod.SecurityContext.SeccompProfile)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, pod.SecurityContext.SeccompProfile.Type)
	assert.False(t, pod.HostNetwork || pod.HostPID || pod.HostIPC)
	for _, v := range pod.Volumes {
		assert.Nil(t, v.HostPath, "hostPath volume %s", v.Name)
	}
	require.Len(t, pod.Containers, 1)
	c := pod.Containers[0]
	assert.Empty(t, c.Command, "the image's ENTRYPOINT (/clustergate serve) runs")
	assert.Empty(t, c.Args)
	sc := c.SecurityContext
	require.NotNil(t, sc)
	require.NotNil(t, sc.RunAsNonRoot)
	assert.True(t, *sc.RunAsNonRoot)
	require.NotNil(t, sc.RunAsUser)
	assert.NotZero(t, *sc.RunAsUser)
	require.NotNil(t, sc.ReadOnlyRootFilesystem)
	assert.True(t, *sc.ReadOnlyRootFilesystem)
	require.NotNil(t, sc.AllowPrivilegeEscalation)
	assert.False(t, *sc.AllowPrivilegeEscalation)
	assert.True(t, sc.Privileged == nil || !*sc.Privileged)
	require.NotNil(t, sc.Capabilities)
	assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
	assert.Empty(t, sc.Capabilities.Add)
	require.NotNil(t, sc.SeccompProfile)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, sc.SeccompProfile.Type)
	assert.NotEmpty(t, c.Resources.Requests, "resource requests")
	assert.NotEmpty(t, c.Resources.Limits, "resource limits")

	// Probes on the http port.
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	assert.Equal(t, int32(8080), ports["http"])
	require.NotNil(t, c.LivenessProbe)
	require.NotNil(t, c.LivenessProbe.HTTPGet)
	assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
	assert.Equal(t, "http", c.LivenessProbe.HTTPGet.Port.String())
	require.NotNil(t, c.ReadinessProbe)
	require.NotNil(t, c.ReadinessProbe.HTTPGet)
	assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
	assert.Equal(t, "http", c.ReadinessProbe.HTTPGet.Port.String())

	// Env: real settings only; secrets only through secretKeyRef.
	assert.Empty(t, c.EnvFrom, "no envFrom: each setting is named")
	seen := map[string]bool{}
	for _, e := range c.Env {
		assert.False(t, seen[e.Name], "env %s set twice", e.Name)
		seen[e.Name] = true
		assert.True(t, allEnvs[e.Name] || e.Name == config.ConfigEnv, "env %s is not a clustergate setting (internal/config)", e.Name)
		if secretEnvs[e.Name] {
			assert.Empty(t, e.Value, "secret %s has a literal value", e.Name)
			require.NotNil(t, e.ValueFrom, "secret %s", e.Name)
			assert.NotNil(t, e.ValueFrom.SecretKeyRef, "secret %s must come from secretKeyRef", e.Name)
		}
		if e.ValueFrom != nil {
			assert.Nil(t, e.ValueFrom.ConfigMapKeyRef, "env %s from a ConfigMap", e.Name)
		}
	}
	assert.NotContains(t, seen, "CLUSTERGATE_MCP_KEY", "the MCP key is for `clustergate mcp` (stdio), not serve")
	assert.Equal(t, ":8080", envMap(c)["CLUSTERGATE_HTTP_ADDR"].Value)
	assert.Equal(t, "false", envMap(c)["CLUSTERGATE_INSECURE_ALLOW_ANONYMOUS"].Value, "anonymous access is refused unless asked for")

	// Service: 8080 http and (MCP on) 9090 mcp, to the pod's named ports.
	var svc corev1.Service
	r.One(t, "Service", &svc)
	assert.Equal(t, dep.Spec.Selector.MatchLabels, svc.Spec.Selector)
	svcPorts := map[string]corev1.ServicePort{}
	for _, p := range svc.Spec.Ports {
		svcPorts[p.Name] = p
	}
	httpPort := svcPorts["http"]
	assert.Equal(t, int32(8080), httpPort.Port)
	assert.Equal(t, "http", httpPort.TargetPort.String())
	if _, on := ports["mcp"]; on {
		assert.Equal(t, int32(9090), ports["mcp"])
		assert.Equal(t, ":9090", envMap(c)["CLUSTERGATE_MCP_ADDR"].Value)
		mcpPort := svcPorts["mcp"]
		assert.Equal(t, int32(9090), mcpPort.Port)
		assert.Equal(t, "mcp", mcpPort.TargetPort.String())
	}

	var np networkingv1.NetworkPolicy
	r.One(t, "NetworkPolicy", &np)
	assert.Equal(t, dep.Spec.Selector.MatchLabels, np.Spec.PodSelector.MatchLabels)

	// Every rendered object decodes into its API type without unknown fields.
	types := map[string]func() any{
		"ServiceAccount": func() any { return &corev1.ServiceAccount{} },
		"ConfigMap":      func() any { return &corev1.ConfigMap{} },
		"Secret":         func() any { return &corev1.Secret{} },
		"Role":           func() any { return &rbacv1.Role{} },
		"RoleBinding":    func() any { return &rbacv1.RoleBinding{} },
		"ClusterRole":    func() any { return &rbacv1.ClusterRole{} }, "ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
		"PodDisruptionBudget":     func() any { return &policyv1.PodDisruptionBudget{} },
		"HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	}
	for _, o := range r.Objects {
		if mk, ok := types[o.Kind]; ok {
			helmtest.DecodeStrict(t, o, mk())
		} else {
			assert.Contains(t, []string{"Deployment", "Service", "NetworkPolicy"}, o.Kind, "unexpected kind from %s", o.Source)
		}
	}
}

func envMap(c corev1.Container) map[string]corev1.EnvVar {
	m := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		m[e.Name] = e
	}
	return m
}

func volume(t *testing.T, spec corev1.PodSpec, name string) corev1.Volume {
	t.Helper()
	for _, v := range spec.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %s", name)
	return corev1.Volume{}
}
