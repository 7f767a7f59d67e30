package deploy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/clustergate/clustergate/tests/deploy/helmtest"
)

// The chart as a fleet (README.md, "Running a fleet"): graceful stop,
// spread, disruption budget, autoscaler, per-fleet rate limit, MCP affinity.

func deployment(t *testing.T, r *helmtest.Rendered) (*appsv1.Deployment, corev1.Container) {
	t.Helper()
	var dep appsv1.Deployment
	r.One(t, "Deployment", &dep)
	return &dep, dep.Spec.Template.Spec.Containers[0]
}

func TestChartFleetDefaults(t *testing.T) {
	r := helmtest.Render(t)
	checkCommon(t, r)
	dep, c := deployment(t, r)
	pod := dep.Spec.Template.Spec
	env := envMap(c)
	// clustergate drains by itself: 5 s delay, 30 s to finish, no preStop.
	assert.Equal(t, "5s", env["CLUSTERGATE_SHUTDOWN_DELAY"].Value)
	assert.Equal(t, "30s", env["CLUSTERGATE_SHUTDOWN_TIMEOUT"].Value)
	assert.Nil(t, c.Lifecycle, "the delay is on: no preStop sleep")
	require.NotNil(t, pod.TerminationGracePeriodSeconds)
	assert.Equal(t, int64(5+30+5), *pod.TerminationGracePeriodSeconds, "delay + timeout + margin")
	assert.NotContains(t, env, "CLUSTERGATE_RATE_LIMIT", "no rate limit given: clustergate's default")

	// Spread across nodes, counting only the pods of one rollout.
	require.Len(t, pod.TopologySpreadConstraints, 1)
	tsc := pod.TopologySpreadConstraints[0]
	assert.Equal(t, "kubernetes.io/hostname", tsc.TopologyKey)
	assert.Equal(t, int32(1), tsc.MaxSkew)
	assert.Equal(t, corev1.ScheduleAnyway, tsc.WhenUnsatisfiable)
	assert.Equal(t, dep.Spec.Selector.MatchLabels, tsc.LabelSelector.MatchLabels)
	assert.Equal(t, []string{"pod-template-hash"}, tsc.MatchLabelKeys)

	// Probes: liveness stays green while draining, readiness turns 503.
	assert.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
	assert.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)

	assert.Empty(t, r.Kinds("PodDisruptionBudget"), "optional, off by default")
	assert.Empty(t, r.Kinds("HorizontalPodAutoscaler"), "optional, off by default")
	var svc corev1.Service
	r.One(t, "Service", &svc)
	assert.Empty(t, svc.Spec.SessionAffinity, "stateless MCP: no affinity needed")
}

func TestChartPreStopWhenDelayOff(t *testing.T) {
	r := helmtest.Render(t, "--set", "shutdown.delaySeconds=0,shutdown.preStopSleepSeconds=8,shutdown.timeoutSeconds=20")
	checkCommon(t, r)
	dep, c := deployment(t, r)
	assert.Equal(t, "0s", envMap(c)["CLUSTERGATE_SHUTDOWN_DELAY"].Value)
	assert.Equal(t, "20s", envMap(c)["CLUSTERGATE_SHUTDOWN_TIMEOUT"].Value)
	require.NotNil(t, c.Lifecycle)
	require.NotNil(t, c.Lifecycle.PreStop)
	require.NotNil(t, c.Lifecycle.PreStop.Sleep, "the image has no shell: the kubelet's sleep action")
	assert.Equal(t, int64(8), c.Lifecycle.PreStop.Sleep.Seconds)
	assert.Equal(t, int64(8+20+5), *dep.Spec.Template.Spec.TerminationGracePeriodSeconds, "sleep + timeout + margin")
}

func TestChartPDBAndHPA(t *testing.T) {
	r := helmtest.Render(t, "--set", "podDisruptionBudget.enabled=true,autoscaling.enabled=true,autoscaling.minReplicas=3,autoscaling.maxReplicas=9",
		"--set", "autoscaling.requestRate.metricName=clustergate_http_requests_per_second,autoscaling.requestRate.averageValue=40")
	checkCommon(t, r)
	dep, c := deployment(t, r)
	assert.Nil(t, dep.Spec.Replicas, "the autoscaler owns the replica count")
	assert.Equal(t, "true", envMap(c)["CLUSTERGATE_MCP_STATELESS"].Value, "up to 9 replicas: stateless")

	var pdb policyv1.PodDisruptionBudget
	r.One(t, "PodDisruptionBudget", &pdb)
	assert.Equal(t, helmtest.Fullname, pdb.Name)
	require.NotNil(t, pdb.Spec.MaxUnavailable)
	assert.Equal(t, 1, pdb.Spec.MaxUnavailable.IntValue())
	assert.Nil(t, pdb.Spec.MinAvailable)
	assert.Equal(t, dep.Spec.Selector.MatchLabels, pdb.Spec.Selector.MatchLabels)

	var hpa autoscalingv2.HorizontalPodAutoscaler
	r.One(t, "HorizontalPodAutoscaler", &hpa)
	assert.Equal(t, autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: dep.Name}, hpa.Spec.ScaleTargetRef)
	assert.Equal(t, int32(3), *hpa.Spec.MinReplicas)
	assert.Equal(t, int32(9), hpa.Spec.MaxReplicas)
	require.Len(t, hpa.Spec.Metrics, 2)
	cpu := hpa.Spec.Metrics[0]
	assert.Equal(t, autoscalingv2.ResourceMetricSourceType, cpu.Type)
	assert.Equal(t, corev1.ResourceCPU, cpu.Resource.Name)
	assert.Equal(t, int32(70), *cpu.Resource.Target.AverageUtilization)
	rate := hpa.Spec.Metrics[1]
	assert.Equal(t, autoscalingv2.PodsMetricSourceType, rate.Type)
	assert.Equal(t, "clustergate_http_requests_per_second", rate.Pods.Metric.Name)
	assert.Equal(t, "40", rate.Pods.Target.AverageValue.String())

	t.Run("minAvailable, CPU only", func(t *testing.T) {
		r := helmtest.Render(t, "--set", "podDisruptionBudget.enabled=true,podDisruptionBudget.minAvailable=50%,podDisruptionBudget.maxUnavailable=,autoscaling.enabled=true")
		var pdb policyv1.PodDisruptionBudget
		r.One(t, "PodDisruptionBudget", &pdb)
		assert.Equal(t, "50%", pdb.Spec.MinAvailable.String())
		assert.Nil(t, pdb.Spec.MaxUnavailable)
		var hpa autoscalingv2.HorizontalPodAutoscaler
		r.One(t, "HorizontalPodAutoscaler", &hpa)
		require.Len(t, hpa.Spec.Metrics, 1, "no request-rate metric named: CPU only")
	})
}

func TestChartRateLimitPerFleet(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"per replica":                  {[]string{"config.rateLimit.perReplica=7"}, "7"},
		"per fleet of 3":               {[]string{"replicaCount=3,config.rateLimit.perFleet=90"}, "30"},
		"per fleet, not a whole share": {[]string{"replicaCount=3,config.rateLimit.perFleet=100"}, "33.3333"},
		"per fleet, autoscaled to 4":   {[]string{"autoscaling.enabled=true,autoscaling.maxReplicas=4,config.rateLimit.perFleet=100"}, "25"},
		"off":                          {[]string{"config.rateLimit.perFleet=0"}, "0"},
	} {
		t.Run(name, func(t *testing.T) {
			r := helmtest.Render(t, append([]string{"--set"}, c.args...)...)
			_, ctr := deployment(t, r)
			assert.Equal(t, c.want, envMap(ctr)["CLUSTERGATE_RATE_LIMIT"].Value)
		})
	}
}

func TestChartStatefulMCPGetsAffinity(t *testing.T) {
	r := helmtest.Render(t, "--set", "replicaCount=3,mcp.stateless=false")
	checkCommon(t, r)
	var svc corev1.Service
	r.One(t, "Service", &svc)
	assert.Equal(t, corev1.ServiceAffinityClientIP, svc.Spec.SessionAffinity, "a stateful session lives in one pod")
	require.NotNil(t, svc.Spec.SessionAffinityConfig)
	assert.Equal(t, int32(10800), *svc.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds)

	r = helmtest.Render(t, "--set", "replicaCount=1,mcp.stateless=false")
	var one corev1.Service
	r.One(t, "Service", &one)
	assert.Empty(t, one.Spec.SessionAffinity, "one replica: nothing to stick to")
}

func TestChartRefusesBadFleetValues(t *testing.T) {
	assert.Contains(t, helmtest.RenderFails(t, "--set", "config.rateLimit.perReplica=5,config.rateLimit.perFleet=10"),
		"either perReplica or perFleet")
	assert.Contains(t, helmtest.RenderFails(t, "--set", "podDisruptionBudget.enabled=true,podDisruptionBudget.minAvailable=1"),
		"either minAvailable or maxUnavailable")
	assert.Contains(t, helmtest.RenderFails(t, "--set", "podDisruptionBudget.enabled=true,podDisruptionBudget.maxUnavailable="),
		"set minAvailable or maxUnavailable")
	assert.Contains(t, helmtest.RenderFails(t, "--set", "shutdown.delaySeconds=5s"),
		`shutdown.delaySeconds must be a whole number of seconds, not "5s"`)
	assert.Contains(t, helmtest.RenderFails(t, "--set", "autoscaling.enabled=true,autoscaling.targetCPUUtilizationPercentage="),
		"give targetCPUUtilizationPercentage, requestRate.metricName or both")
	assert.Contains(t, helmtest.RenderFails(t, "--set", "autoscaling.enabled=true,autoscaling.minReplicas=5,autoscaling.maxReplicas=2"),
		"maxReplicas must be at least")
}
