// Package dryrun submits what the chart renders to a real kube-apiserver
// (tests/kubetest) as a server-side dry run with strict field validation:
// every object of several value sets (the defaults, a fleet with its
// disruption budget, autoscaler and preStop sleep, stateful MCP with
// affinity, the Cluster API surface, named upstreams) must pass the API
// server's own validation and defaulting, which `helm template` and the typed
// decoding in tests/deploy cannot check (e.g. a PodDisruptionBudget with both
// minAvailable and maxUnavailable decodes fine and is invalid).
//
// It is a package of its own, like capirbac, so the API server starts only
// for it.
package dryrun

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/clustergate/clustergate/tests/deploy/helmtest"
	"github.com/clustergate/clustergate/tests/kubetest"
)

// valueSets are the renders submitted; together they render every template.
var valueSets = map[string][]string{
	"defaults": nil,
	"fleet": {"--set", "podDisruptionBudget.enabled=true,autoscaling.enabled=true,autoscaling.maxReplicas=5," +
		"autoscaling.requestRate.metricName=clustergate_http_requests_per_second,config.rateLimit.perFleet=100," +
		"shutdown.delaySeconds=0,topologySpreadConstraints[0].maxSkew=1,topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone," +
		"topologySpreadConstraints[0].whenUnsatisfiable=DoNotSchedule,topologySpreadConstraints[0].labelSelector.matchLabels.app=x"},
	"stateful MCP, minAvailable": {"--set", "replicaCount=3,mcp.stateless=false,podDisruptionBudget.enabled=true," +
		"podDisruptionBudget.minAvailable=2,podDisruptionBudget.maxUnavailable="},
	"capi, inline secrets": {"--set", "capi.enabled=true,capi.rbac.namespaces={gateway}", "--set-string", "secrets.apiKeys=admin=k"},
	"capi cluster-wide":    {"--set", "capi.enabled=true,secrets.existingSecret=cg-keys"},
	// Named upstreams: their ConfigMap and a read-only Secret volume each.
	"upstreams": {"-f", "tests/deploy/testdata/upstreams-values.yaml"},
}

func TestChartPassesServerSideDryRun(t *testing.T) {
	renders := map[string]*helmtest.Rendered{}
	for name, args := range valueSets {
		renders[name] = helmtest.Render(t, args...) // without helm: skip before starting an API server
	}
	env := kubetest.Start(t)
	env.Namespace(t, helmtest.ReleaseNS)
	c, err := client.New(env.Config, client.Options{})
	require.NoError(t, err)
	kinds := map[string]bool{}
	for name, r := range renders {
		t.Run(name, func(t *testing.T) {
			for _, o := range r.Objects {
				err := dryRunCreate(t, c, o.Raw)
				assert.NoError(t, err, "%s %s (%s) refused by the API server", o.Kind, o.Name, o.Source)
				kinds[o.Kind] = true
			}
		})
	}
	for _, k := range []string{"Deployment", "Service", "ServiceAccount", "NetworkPolicy", "PodDisruptionBudget", "ConfigMap",
		"HorizontalPodAutoscaler", "Secret", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"} {
		assert.True(t, kinds[k], "no %s was submitted: the value sets miss a template", k)
	}

	t.Run("in-cluster kubeconfig", func(t *testing.T) { checkInClusterKubeconfig(t, env, renders["upstreams"]) })

	// Control: the dry run does validate. A budget with both fields, which
	// the chart refuses to render, is refused by the API server too.
	bad := map[string]any{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
		"metadata": map[string]any{"name": "both", "namespace": helmtest.ReleaseNS},
		"spec": map[string]any{"minAvailable": 1, "maxUnavailable": 1,
			"selector": map[string]any{"matchLabels": map[string]any{"a": "b"}}}}
	raw, err := json.Marshal(bad)
	require.NoError(t, err)
	err = dryRunCreate(t, c, raw)
	assert.True(t, apierrors.IsInvalid(err), "want 422 Invalid, got %v", err)
	// And an unknown field is refused (strict field validation).
	raw = []byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"x","namespace":"` + helmtest.ReleaseNS +
		`"},"spec":{"ports":[{"port":80}],"sessionAffinityy":"ClientIP"}}`)
	assert.Error(t, dryRunCreate(t, c, raw), "a misspelt field must be refused")
}

// dryRunCreate submits one object as a server-side dry run.
func dryRunCreate(t *testing.T, c client.Client, raw []byte) error {
	t.Helper()
	u := &unstructured.Unstructured{}
	require.NoError(t, u.UnmarshalJSON(raw))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Create(ctx, u, client.DryRunAll, client.FieldValidation("Strict"))
}
