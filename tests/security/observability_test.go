package security

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	incus "github.com/clustergate/clustergate/generated/incuscluster"
	px "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
	"github.com/clustergate/clustergate/tests/osdtest"
)

func scrape(t *testing.T, gate *cgtest.Gate) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	resp, err := http.Get(gate.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(string(raw)))
	require.NoError(t, err, "the exposition parses")
	return mfs, string(raw)
}

// value returns the counter or gauge with exactly these labels.
func value(mfs map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	for _, m := range mfs[name].GetMetric() {
		match := 0
		for _, lp := range m.GetLabel() {
			if labels[lp.GetName()] == lp.GetValue() {
				match++
			}
		}
		if match == len(labels) {
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

func TestMetricsAfterTraffic(t *testing.T) {
	s := osdtest.Start(t, osdtest.Options{ClusterName: "metrics"})
	gate := cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": s.URL(), "INCUS_SOCKET": "/nonexistent/incus.socket"})
	pc, err := px.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	ic, err := incus.NewClientWithResponses(gate.URL)
	require.NoError(t, err)
	ctx := context.Background()
	for range 3 {
		r, err := pc.OpenstorageclusterpairenumerateWithResponse(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, 200, r.StatusCode())
	}
	r, err := ic.ClustergetWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 503, r.StatusCode())
	bad, err := ic.ClustermemberspostWithResponse(ctx, nil, incus.ClusterMembersPost{})
	require.NoError(t, err)
	require.Equal(t, 400, bad.StatusCode())
	s2, err := mcpSessionNoKey(t, gate)
	require.NoError(t, err)
	_, err = s2.CallTool(ctx, callParams("enumerate-returns-list-cluster-pairs"))
	require.NoError(t, err)

	mfs, _ := scrape(t, gate)
	assert.Equal(t, 4.0, value(mfs, "clustergate_http_requests_total", map[string]string{"operation": "openstorageclusterpairenumerate", "status": "200", "caller": "anonymous"}),
		"three REST enumerations and one MCP call, which runs through the same chain")
	assert.Equal(t, 4.0, value(mfs, "clustergate_upstream_requests_total", map[string]string{"upstream": "portworx", "operation": "openstorageclusterpairenumerate"}))
	assert.Equal(t, 1.0, value(mfs, "clustergate_upstream_errors_total", map[string]string{"upstream": "incus", "operation": "clusterget", "status": "503"}))
	assert.Equal(t, -1.0, value(mfs, "clustergate_upstream_errors_total", map[string]string{"operation": "clustermemberspost"}),
		"a request clustergate refused never reached the upstream")
	assert.Equal(t, 1.0, value(mfs, "clustergate_mcp_tool_calls_total", map[string]string{"tool": "enumerate-returns-list-cluster-pairs", "outcome": "ok"}))
	assert.Equal(t, 1.0, value(mfs, "clustergate_build_info", map[string]string{"version": "test"}))
	assert.Contains(t, mfs, "clustergate_http_requests_in_flight")
	assert.Contains(t, mfs, "clustergate_http_request_duration_seconds")
}

// TestSecretsNeverReachLogsOrMetrics drives every sensitive operation that
// has a real upstream here, then searches logs, metrics and error bodies for
// the secrets involved.
func TestSecretsNeverReachLogsOrMetrics(t *testing.T) {
	d := lxdtest.Start(t)
	s := osdtest.Start(t, osdtest.Options{ClusterName: "redaction", JWTSharedSecret: "redaction-shared-secret"})
	upstreamJWT := s.AdminToken(t)
	gate := cgtest.Start(t, map[string]string{"INCUS_SOCKET": d.Socket, "PORTWORX_ENDPOINT": s.URL(),
		"PORTWORX_API_KEY": upstreamJWT, "CLUSTERGATE_API_KEYS": "admin=" + keys["admin"] + ",viewer=" + keys["viewer"]})
	admin := func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+keys["admin"])
		return nil
	}
	ic, err := incus.NewClientWithResponses(gate.URL, incus.WithRequestEditorFn(admin))
	require.NoError(t, err)
	pc, err := px.NewClientWithResponses(gate.URL, px.WithRequestEditorFn(admin))
	require.NoError(t, err)
	ctx := context.Background()

	join, err := ic.ClustermemberspostWithResponse(ctx, nil, incus.ClusterMembersPost{ServerName: "secret-joiner"})
	require.NoError(t, err)
	require.Equal(t, 200, join.StatusCode(), string(join.Body))
	got, err := pc.OpenstorageclusterpairgettokenWithResponse(ctx, nil)
	require.NoError(t, err)
	require.Equal(t, 200, got.StatusCode(), string(got.Body))
	reset, err := pc.OpenstorageclusterpairresettokenWithResponse(ctx, nil, px.APISdkClusterPairResetTokenRequest{})
	require.NoError(t, err)
	require.Equal(t, 200, reset.StatusCode(), string(reset.Body))
	wrongKey, err := http.NewRequest("GET", gate.URL+"/v1/1-0/cluster", nil)
	require.NoError(t, err)
	wrongKey.Header.Set("Authorization", "Bearer not-"+keys["admin"])
	resp, err := http.DefaultClient.Do(wrongKey)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	_, metricsText := scrape(t, gate)
	secrets := map[string]string{
		"join token": join.JSON200.Token, "join secret": *join.JSON200.Secret,
		"pair token": *got.JSON200.Result.Token, "new pair token": *reset.JSON200.Result.Token,
		"upstream JWT": upstreamJWT, "admin key": keys["admin"], "viewer key": keys["viewer"],
	}
	for what, secret := range secrets {
		require.NotEmpty(t, secret, what)
		assert.NotContains(t, gate.Logs(), secret, "%s in the logs", what)
		assert.NotContains(t, metricsText, secret, "%s in the metrics", what)
		assert.NotContains(t, string(body), secret, "%s in an error body", what)
	}
	assert.Contains(t, gate.Logs(), `"operation":"openstorageclusterpairresettoken"`, "the calls were logged")
}
