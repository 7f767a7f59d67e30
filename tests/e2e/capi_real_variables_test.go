package e2e

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capi "github.com/clustergate/clustergate/generated/capiclusters"
	capisandbox "github.com/clustergate/clustergate/sandbox/capi"
)

// webhookDenied is how the API server words a refusal of Cluster API's
// defaulting webhook for Clusters (it checks variables against the class).
const webhookDenied = `admission webhook "default.cluster.cluster.x-k8s.io" denied the request`

// TestCapiRealVariablesAgree: every request create_cluster refuses before
// writing is also refused by Cluster API when written directly (by its
// webhooks, or the CRD's schema for a duplicate name), each naming the same
// variable or field; a required variable left
// out gets the same default from both.
func TestCapiRealVariablesAgree(t *testing.T) {
	const ns = "real-variables"
	m, c, _ := realCAPI(t, ns)
	cases := []struct {
		name    string
		change  func(r *capi.CapiCreateClusterRequest)
		gate    string // in clustergate's 400
		webhook string // in Cluster API's refusal
	}{
		{"unknown variable", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["flavour"] = "x" },
			"variables.flavour: not a variable", "variable is not defined"},
		{"missing required", func(r *capi.CapiCreateClusterRequest) { delete(*r.Variables, "region") },
			"variables.region: required", `required variable "region" must be set`},
		{"wrong type", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["etcdDiskGB"] = "big" },
			"variables.etcdDiskGB", "spec.topology.variables[etcdDiskGB].value"},
		{"below minimum", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["etcdDiskGB"] = 5 },
			"variables.etcdDiskGB", "spec.topology.variables[etcdDiskGB].value"},
		{"not in enum", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["region"] = "mars" },
			"variables.region", "spec.topology.variables[region].value"},
		{"nested required", func(r *capi.CapiCreateClusterRequest) { (*r.Variables)["proxy"] = map[string]any{} },
			"variables.proxy.http", "spec.topology.variables[proxy].value.http"},
		{"unknown worker class", func(r *capi.CapiCreateClusterRequest) { (*r.Workers)[1].Class = "arm-worker" },
			`workers[1].class: "arm-worker" is not a worker class`, `MachineDeploymentClass with name "arm-worker" does not exist in ClusterClass`},
		{"duplicate worker", func(r *capi.CapiCreateClusterRequest) { (*r.Workers)[1].Name = "md-0" },
			"workers[1].name", "spec.topology.workers.machineDeployments[1]: Duplicate value"}, // the CRD's list-map key
		{"unsupported version", func(r *capi.CapiCreateClusterRequest) { r.KubernetesVersion = "v1.30.0" },
			"kubernetesVersion: v1.30.0", "spec.topology.version"},
		{"bad version", func(r *capi.CapiCreateClusterRequest) { r.KubernetesVersion = "v1.36" },
			"kubernetesVersion", "spec.topology.version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := newCluster("refused")
			tc.change(&req)
			res := createIn(t, c, ns, req)
			if assert.Equal(t, 400, res.StatusCode(), string(res.Body)) {
				assert.Contains(t, errBody(t, res.Body).Message, tc.gate)
			}
			err := m.Client.Create(ctx(t), topologyCluster(ns, req))
			require.Error(t, err, "Cluster API accepted what clustergate refused")
			assert.Contains(t, err.Error(), tc.webhook)
			t.Logf("clustergate: %s\nCluster API: %v", res.Body, err)
		})
	}

	req := newCluster("defaulted")
	direct := newCluster("defaulted-direct")
	require.NotContains(t, *req.Variables, "etcdDiskGB")
	created := createIn(t, c, ns, req)
	require.Equal(t, 202, created.StatusCode(), string(created.Body))
	require.NoError(t, m.Client.Create(ctx(t), topologyCluster(ns, direct)))
	// The ClusterClass's default for the required etcdDiskGB, applied by
	// clustergate and by Cluster API's defaulting webhook alike.
	assert.Equal(t, "20", variables(t, m, ns, "defaulted")["etcdDiskGB"])
	assert.Equal(t, "20", variables(t, m, ns, "defaulted-direct")["etcdDiskGB"])
}

// TestCapiRealWebhookWins: where clustergate's checks and Cluster API's
// differ, Cluster API decides and clustergate's answer keeps its words: a
// CEL rule of a variable's schema (clustergate does not evaluate CEL) is
// refused by the webhook, answered as a 400 saying Cluster API's webhook
// refused it; a nested default only the webhook applies is in what
// create_cluster returns; a missing ClusterClass, which Cluster API only
// warns about, clustergate refuses.
func TestCapiRealWebhookWins(t *testing.T) {
	const ns = "real-webhook"
	m, c, gate := realCAPI(t, ns)
	cc := capisandbox.QuickStart(ns)
	cc.Name = "strict"
	for i, v := range cc.Spec.Variables {
		if v.Name == "proxy" {
			s := &cc.Spec.Variables[i].Schema.OpenAPIV3Schema
			s.XValidations = []clusterv1.ValidationRule{{Rule: "self.http.startsWith('http://')", Message: "proxy.http must be an http:// URL"}}
			s.Properties["noProxy"] = clusterv1.JSONSchemaProps{Type: "string", Default: &apiextensionsv1.JSON{Raw: []byte(`"localhost"`)}}
		}
	}
	m.InstallClass(t, cc)

	req := newCluster("cel")
	req.Template = "strict"
	(*req.Variables)["proxy"] = map[string]any{"http": "ftp://proxy"}
	res := createIn(t, c, ns, req)
	require.Equal(t, 400, res.StatusCode(), string(res.Body))
	assert.Contains(t, errBody(t, res.Body).Message, "Cluster API's admission webhook refused it")
	assert.Contains(t, errBody(t, res.Body).Message, webhookDenied)
	assert.Contains(t, errBody(t, res.Body).Message, "proxy.http must be an http:// URL", "the webhook's own words")
	assert.Equal(t, "capi", errBody(t, res.Body).Upstream)
	// The same refusal over MCP keeps the same words.
	s, err := mcpSession(t, gate.MCPURL, adminKey)
	require.NoError(t, err)
	var body map[string]any
	raw, err := json.Marshal(req)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &body))
	byTool := call(t, s, "create_cluster", map[string]any{"namespace": ns, "body": body})
	assert.True(t, byTool.IsError)
	assert.Contains(t, text(byTool), "Cluster API's admission webhook refused it")
	assert.Contains(t, text(byTool), "proxy.http must be an http:// URL")

	req = newCluster("nested")
	req.Template = "strict"
	res = createIn(t, c, ns, req)
	require.Equal(t, 202, res.StatusCode(), string(res.Body))
	var proxy string
	for _, v := range *res.JSON202.Variables {
		if v.Name == "proxy" {
			raw, err := json.Marshal(v.Value)
			require.NoError(t, err)
			proxy = string(raw)
		}
	}
	assert.JSONEq(t, `{"http":"http://proxy:3128","noProxy":"localhost"}`, proxy,
		"the 202 shows the cluster as Cluster API stored it, with the webhook's nested default")

	req = newCluster("orphan")
	req.Template = "absent"
	res = createIn(t, c, ns, req)
	require.Equal(t, 400, res.StatusCode(), string(res.Body))
	assert.Contains(t, errBody(t, res.Body).Message, "template: no ClusterClass real-webhook/absent")
	orphan := topologyCluster(ns, req)
	require.NoError(t, m.Client.Create(ctx(t), orphan), "Cluster API only warns about a missing ClusterClass")
}
