package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/deploy/helmtest"
)

// upstreamsValues names two Incus, two Portworx and two Cluster API
// upstreams, their files in Secrets (repository-relative: helm runs there).
const upstreamsValues = "tests/deploy/testdata/upstreams-values.yaml"

// mountRoot is where the chart mounts everything clustergate reads.
const mountRoot = "/etc/clustergate/"

// clusterSecrets are the Secrets the values file names, as the cluster
// would hold them. Each value is marked so a copy anywhere else shows.
var clusterSecrets = map[string]map[string]string{
	"cg-keys":           {"api-keys": "admin=SECRET-api-key-0123456789"},
	"incus-east":        {"tls.crt": "SECRET-east-cert", "tls.key": "SECRET-east-key", "server.crt": "SECRET-east-server"},
	"px-dc1":            {"token": "SECRET-dc1-token", "ca.crt": "SECRET-dc1-ca"},
	"px-dc2":            {"token": "SECRET-dc2-token"},
	"mgmt-a-kubeconfig": {"kubeconfig": "SECRET-mgmt-a-kubeconfig"},
	"mgmt-b-kubeconfig": {"config": "SECRET-mgmt-b-kubeconfig"},
}

// TestChartUpstreamsPassConfigCheck renders the named upstreams, lays the
// pod's files out as the kubelet would (the ConfigMap and each Secret at
// its mount, under a temporary root), and runs the real `clustergate config
// check` with the container's environment: it must accept the file and list
// the six named upstreams plus the in-cluster `default` management cluster.
func TestChartUpstreamsPassConfigCheck(t *testing.T) {
	r := helmtest.Render(t, "-f", upstreamsValues)
	checkCommon(t, r)
	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	var cm corev1.ConfigMap
	r.One(t, "ConfigMap", &cm)
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]

	assert.Equal(t, "/etc/clustergate/config/clustergate.yaml", envMap(c)[config.ConfigEnv].Value)
	assert.Equal(t, "/etc/clustergate/config/in-cluster.kubeconfig", envMap(c)["KUBECONFIG"].Value,
		"the service account stays the capi `default` upstream beside the file's entries")
	assert.True(t, *pod.AutomountServiceAccountToken, "capi.enabled in-cluster needs the token")
	assert.NotEmpty(t, dep.Spec.Template.Annotations["checksum/upstreams"])

	// What the config names as files is exactly what the Secrets mount.
	wantFiles := map[string]string{ // config path -> Secret/key
		"/etc/clustergate/upstreams/incus/east/client-cert":    "incus-east/tls.crt",
		"/etc/clustergate/upstreams/incus/east/client-key":     "incus-east/tls.key",
		"/etc/clustergate/upstreams/incus/east/server-cert":    "incus-east/server.crt",
		"/etc/clustergate/upstreams/portworx/dc1/api-key-file": "px-dc1/token",
		"/etc/clustergate/upstreams/portworx/dc1/ca-file":      "px-dc1/ca.crt",
		"/etc/clustergate/upstreams/portworx/dc2/api-key-file": "px-dc2/token",
		"/etc/clustergate/upstreams/capi/mgmt-a/kubeconfig":    "mgmt-a-kubeconfig/kubeconfig",
		"/etc/clustergate/upstreams/capi/mgmt-b/kubeconfig":    "mgmt-b-kubeconfig/config",
		"/etc/clustergate/config/clustergate.yaml":             "ConfigMap",
		"/etc/clustergate/config/in-cluster.kubeconfig":        "ConfigMap",
	}
	assert.Equal(t, wantFiles, mountedFiles(t, pod, cm.Name))
	assert.ElementsMatch(t, configFilePaths(t, cm.Data["clustergate.yaml"]), []string{
		"/etc/clustergate/upstreams/incus/east/client-cert", "/etc/clustergate/upstreams/incus/east/client-key",
		"/etc/clustergate/upstreams/incus/east/server-cert", "/etc/clustergate/upstreams/portworx/dc1/api-key-file",
		"/etc/clustergate/upstreams/portworx/dc1/ca-file", "/etc/clustergate/upstreams/portworx/dc2/api-key-file",
		"/etc/clustergate/upstreams/capi/mgmt-a/kubeconfig", "/etc/clustergate/upstreams/capi/mgmt-b/kubeconfig",
	})
	for k, v := range cm.Data {
		assert.NotContains(t, v, "SECRET-", "ConfigMap key %s holds a secret", k)
		assert.NotContains(t, v, "secretName", "ConfigMap key %s: chart keys leak into the config", k)
	}
	assert.NotContains(t, r.Text, "SECRET-", "no secret value is rendered anywhere")

	root := t.TempDir()
	layOut(t, root, pod, cm, clusterSecrets)
	out, err := configCheck(t, root, c)
	require.NoError(t, err, "config check refused the chart's config:\n%s", out)
	assert.Equal(t, map[string][]string{
		"incus-cluster":        {"west (default)", "east"},
		"portworx-clusterpair": {"dc2 (default)", "dc1"},
		"capi-clusters":        {"default (default)", "mgmt-a", "mgmt-b"},
	}, upstreamTable(out), "config check:\n%s", out)
	assert.NotContains(t, out, "SECRET-", "config check prints no secret")

	// Control: the check reads the files where the config says they are.
	require.NoError(t, os.Remove(filepath.Join(root, "etc/clustergate/upstreams/portworx/dc1/api-key-file")))
	out, err = configCheck(t, root, c)
	require.Error(t, err, "config check accepted a missing api-key-file:\n%s", out)
	assert.Contains(t, out, "upstreams.portworx[0] (dc1): api-key-file: cannot read")

	// Another upstream list rolls the pods.
	r2 := helmtest.Render(t, "-f", upstreamsValues, "--set", "upstreams.portworx[0].name=dc9,upstreams.portworx[0].endpoint=http://px9.example:9021")
	var dep2 appsv1.Deployment
	r2.One(t, "Deployment", &dep2)
	assert.NotEqual(t, dep.Spec.Template.Annotations["checksum/upstreams"], dep2.Spec.Template.Annotations["checksum/upstreams"])
}

// mountedFiles maps every file the container sees under mountRoot to where
// it comes from ("ConfigMap" or "<Secret>/<key>"), checking each mount of a
// ConfigMap or Secret is read-only.
func mountedFiles(t *testing.T, pod corev1.PodSpec, cmName string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range pod.Containers[0].VolumeMounts {
		v := volume(t, pod, m.Name)
		switch {
		case v.ConfigMap != nil:
			assert.Equal(t, cmName, v.ConfigMap.Name)
			assert.True(t, m.ReadOnly, "mount %s is writable", m.Name)
			for _, k := range []string{"clustergate.yaml", "in-cluster.kubeconfig"} {
				out[filepath.Join(m.MountPath, k)] = "ConfigMap"
			}
		case v.Secret != nil:
			assert.True(t, m.ReadOnly, "mount %s is writable", m.Name)
			require.NotEmpty(t, v.Secret.Items, "volume %s mounts a whole Secret", m.Name)
			for _, it := range v.Secret.Items {
				out[filepath.Join(m.MountPath, it.Path)] = v.Secret.SecretName + "/" + it.Key
			}
		}
	}
	return out
}

// configFilePaths are the values of the config's file keys.
func configFilePaths(t *testing.T, file string) []string {
	t.Helper()
	var doc map[string]map[string][]map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(file), &doc), "the rendered config file:\n%s", file)
	var out []string
	for _, entries := range doc["upstreams"] {
		for _, e := range entries {
			for _, k := range []string{"client-cert", "client-key", "server-cert", "ca-file", "api-key-file", "kubeconfig"} {
				if p, ok := e[k].(string); ok {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// layOut writes what the kubelet would mount, under root: the ConfigMap's
// keys and each Secret item, with mountRoot moved under root in the config.
func layOut(t *testing.T, root string, pod corev1.PodSpec, cm corev1.ConfigMap, secrets map[string]map[string]string) {
	t.Helper()
	write := func(path, data string) {
		p := filepath.Join(root, path)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o600))
	}
	for _, m := range pod.Containers[0].VolumeMounts {
		v := volume(t, pod, m.Name)
		switch {
		case v.ConfigMap != nil:
			for k, data := range cm.Data {
				write(filepath.Join(m.MountPath, k), rebase(root, data))
			}
		case v.Secret != nil:
			for _, it := range v.Secret.Items {
				data, ok := secrets[v.Secret.SecretName][it.Key]
				require.True(t, ok, "volume %s: Secret %s has no key %s", m.Name, v.Secret.SecretName, it.Key)
				write(filepath.Join(m.MountPath, it.Path), data)
			}
		}
	}
}

func rebase(root, s string) string {
	return strings.ReplaceAll(s, mountRoot, filepath.Join(root, mountRoot)+"/")
}

// configCheck runs `clustergate config check` with the container's
// environment (mounted paths moved under root, Secret refs resolved from
// clusterSecrets) and nothing of the test's own environment.
func configCheck(t *testing.T, root string, c corev1.Container) (string, error) {
	t.Helper()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			if v, ok := clusterSecrets[ref.Name][ref.Key]; ok {
				env = append(env, e.Name+"="+v)
			}
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+rebase(root, e.Value))
		}
	}
	cmd := exec.Command(cgtest.Binary(t), "config", "check")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// upstreamTable reads config check's last table: surface -> upstreams.
func upstreamTable(out string) map[string][]string {
	cols := regexp.MustCompile(`\s{2,}`)
	got := map[string][]string{}
	in := false
	for _, l := range strings.Split(out, "\n") {
		f := cols.Split(strings.TrimSpace(l), -1)
		if len(f) >= 2 && f[0] == "surface" && f[1] == "upstream" {
			in = true
			continue
		}
		if in && len(f) >= 3 {
			got[f[0]] = append(got[f[0]], f[1])
		}
	}
	return got
}

// TestChartRefusesBadUpstreams: a bad entry fails `helm template` naming
// it. Where internal/config refuses the same entry, the loader is asked too
// and must name it in the same words, so the chart mirrors the product.
func TestChartRefusesBadUpstreams(t *testing.T) {
	cases := []struct {
		name, upstreams string
		flags           [2]string // chart value and environment variable that define `default`
		want            string
		loaderToo       bool
	}{
		{name: "duplicate", upstreams: `{"incus":[{"name":"east","url":"https://a.example:8443"},{"name":"east","url":"https://b.example:8443"}]}`,
			want: `upstreams.incus[1] (east): name: "east" is given twice`, loaderToo: true},
		{name: "bad name", upstreams: `{"portworx":[{"name":"DC_1","endpoint":"https://px.example:9021"}]}`,
			want: `upstreams.portworx[0] (DC_1): name: "DC_1" is not lower-case letters, digits and '-'`, loaderToo: true},
		{name: "name too long", upstreams: `{"incus":[{"name":"` + strings.Repeat("a", 64) + `","url":"https://a.example:8443"}]}`,
			want: `(` + strings.Repeat("a", 64) + `): name: "` + strings.Repeat("a", 64) + `" is not lower-case`, loaderToo: true},
		{name: "missing name", upstreams: `{"capi":[{"kubeconfig":"/k","context":"x"}]}`,
			want: `upstreams.capi[0] (): name: missing; every upstream needs a name`, loaderToo: true},
		{name: "default taken by the single-upstream values", upstreams: `{"incus":[{"name":"default","url":"https://b.example:8443"}]}`,
			flags: [2]string{"incus.url", "INCUS_URL"},
			want:  `upstreams.incus[0] (default): name: "default" is the upstream the`, loaderToo: true},
		{name: "two defaults", upstreams: `{"portworx":[{"name":"a","endpoint":"http://a:1","default":true},{"name":"b","endpoint":"http://b:1","default":true}]}`,
			want: `upstreams.portworx: more than one entry says default: true`, loaderToo: true},
		{name: "unknown key", upstreams: `{"incus":[{"name":"a","endpoint":"https://a.example:8443"}]}`,
			want: `upstreams.incus[0] (a): unknown key "endpoint"`},
		{name: "unknown surface", upstreams: `{"lxd":[{"name":"a"}]}`, want: `upstreams: unknown surface "lxd"`},
		{name: "files without secretName", upstreams: `{"portworx":[{"name":"a","endpoint":"http://a:1","files":{"api-key-file":"token"}}]}`,
			want: `upstreams.portworx[0] (a): files needs secretName`},
		{name: "secretName without files", upstreams: `{"incus":[{"name":"a","url":"https://a.example:8443","secretName":"s"}]}`,
			want: `upstreams.incus[0] (a): secretName s needs files`},
		{name: "file of another surface", upstreams: `{"incus":[{"name":"a","url":"https://a.example:8443","secretName":"s","files":{"kubeconfig":"k"}}]}`,
			want: `upstreams.incus[0] (a): files: "kubeconfig" is not a file of a incus upstream`},
		{name: "path and files", upstreams: `{"capi":[{"name":"m","kubeconfig":"/k","secretName":"s"}]}`,
			want: `upstreams.capi[0] (m): kubeconfig is given both as a path and in files`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--set-json", "upstreams=" + tc.upstreams}
			if tc.flags[0] != "" {
				args = append(args, "--set", tc.flags[0]+"=https://flags.example:8443")
			}
			assert.Contains(t, helmtest.RenderFails(t, args...), tc.want)
			if !tc.loaderToo {
				return
			}
			file := filepath.Join(t.TempDir(), "c.yaml")
			require.NoError(t, os.WriteFile(file, []byte(`{"upstreams":`+tc.upstreams+`}`), 0o600))
			env := map[string]string{config.ConfigEnv: file, tc.flags[1]: "https://flags.example:8443"}
			_, err := config.FromEnv(func(k string) string { return env[k] })
			require.Error(t, err, "internal/config accepts what the chart refuses")
			assert.Contains(t, err.Error(), tc.want, "the chart and internal/config word it differently")
		})
	}

	assert.Contains(t, helmtest.RenderFails(t, "-f", upstreamsValues, "--set", "extraEnv[0].name=CLUSTERGATE_CONFIG,extraEnv[0].value=/x.yaml"),
		"extraEnv: CLUSTERGATE_CONFIG is the chart's")

	// `default` is a name like any other where the single-upstream values
	// leave the surface alone, as in internal/config.
	r := helmtest.Render(t, "--set-json", `upstreams={"portworx":[{"name":"default","endpoint":"http://a:1"}]}`)
	var cm corev1.ConfigMap
	r.One(t, "ConfigMap", &cm)
	assert.Contains(t, cm.Data["clustergate.yaml"], "name: default")

	// With capi.enabled the in-cluster service account is the capi `default`
	// (the chart names it in a kubeconfig), which has no context to pick.
	inCluster := `upstreams={"capi":[{"name":"default","kubeconfig":"/k"}]}`
	assert.Contains(t, helmtest.RenderFails(t, "--set", "capi.enabled=true", "--set-json", inCluster),
		`upstreams.capi[0] (default): name: "default" is the upstream the chart's capi values define`)
	assert.Contains(t, helmtest.RenderFails(t, "--set", "capi.enabled=true,capi.kubeContext=x", "--set-json",
		`upstreams={"capi":[{"name":"m","kubeconfig":"/k"}]}`), "the in-cluster service account has none")
}

// TestChartUpstreamKeysMatchConfig: the keys the chart lets an entry take
// are exactly the yaml keys of internal/config's entry types, so an entry
// the product reads is never refused by the chart, nor the reverse.
func TestChartUpstreamKeysMatchConfig(t *testing.T) {
	for surface, typ := range map[string]reflect.Type{
		"incus":    reflect.TypeFor[config.IncusUpstream](),
		"portworx": reflect.TypeFor[config.PortworxUpstream](),
		"capi":     reflect.TypeFor[config.CAPIUpstream](),
	} {
		t.Run(surface, func(t *testing.T) {
			want := yamlKeys(typ)
			msg := helmtest.RenderFails(t, "--set-json", `upstreams={"`+surface+`":[{"name":"a","bogus":1}]}`)
			_, list, ok := strings.Cut(msg, "upstream takes ")
			require.True(t, ok, "the unknown-key message lists the keys: %s", msg)
			list, _, _ = strings.Cut(list, ", secretName and files")
			assert.ElementsMatch(t, want, strings.Split(list, ", "))
		})
	}
}

// yamlKeys are the keys a struct decodes from YAML, inline structs included.
func yamlKeys(typ reflect.Type) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case opts == "inline":
			out = append(out, yamlKeys(f.Type)...)
		case name != "" && name != "-":
			out = append(out, name)
		}
	}
	return out
}

// TestChartReadmeUpstreamsExampleRenders: the chart README's upstreams
// example renders as written and lists its entries in the config.
func TestChartReadmeUpstreamsExampleRenders(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(helmtest.ChartDir(t), "README.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(raw), "```yaml\nupstreams:\n")
	require.True(t, ok, "deploy/clustergate/README.md has no upstreams example")
	example, _, _ := strings.Cut(rest, "```")
	file := filepath.Join(t.TempDir(), "values.yaml")
	require.NoError(t, os.WriteFile(file, []byte("upstreams:\n"+example), 0o600))
	r := helmtest.Render(t, "-f", file)
	var cm corev1.ConfigMap
	r.One(t, "ConfigMap", &cm)
	for _, want := range []string{"name: west", "name: dc1", "name: mgmt",
		"kubeconfig: /etc/clustergate/upstreams/capi/mgmt/kubeconfig"} {
		assert.Contains(t, cm.Data["clustergate.yaml"], want)
	}
}
