package deploy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/tests/deploy/helmtest"
)

// helmPrereqs are the values a chart value needs beside it to take effect
// (a key inside a Secret is used only when the Secret is named).
var helmPrereqs = map[string]string{
	"incus.tls.":    "incus.tls.secretName=incus-tls",
	"portworx.tls.": "portworx.tls.secretName=px-tls",
}

// TestChartSetsEachSettingItsReferenceNames: for every setting whose helm
// tag names a chart value (deploy/clustergate/README.md lists them), setting
// that value renders the setting's environment variable in the container.
func TestChartSetsEachSettingItsReferenceNames(t *testing.T) {
	for _, s := range config.Settings() {
		if s.Helm == "" {
			continue
		}
		set := []string{s.Helm + "=" + sample(s)}
		for prefix, pre := range helmPrereqs {
			if strings.HasPrefix(s.Helm, prefix) {
				set = append(set, pre)
			}
		}
		r := helmtest.Render(t, "--set", strings.Join(set, ","))
		var dep appsv1.Deployment
		r.One(t, "Deployment", &dep)
		assert.Contains(t, envMap(dep.Spec.Template.Spec.Containers[0]), s.Env, "--set %s renders no %s", strings.Join(set, ","), s.Env)
	}
}

// sample is a value of the chart value's kind that is not its default.
func sample(s config.Setting) string {
	switch {
	case s.Helm == "mcp.enabled" || s.Kind == config.KindBool:
		return "true"
	case s.Kind == config.KindDuration:
		return "7s"
	case s.Kind == config.KindSize:
		return "2MiB"
	case s.Kind == config.KindInt:
		return "3"
	case s.Helm == "capi.kubeconfigSecret":
		return "mgmt-kubeconfig"
	case s.Kind == config.KindURL:
		return "https://upstream.example:8443"
	}
	return "x" + strings.ReplaceAll(s.Flag, "-", "")
}
