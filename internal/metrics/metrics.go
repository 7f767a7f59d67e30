// Package metrics holds clustergate's Prometheus metrics. Labels are
// operationIds, tool names, upstream names and status codes only: never
// paths, parameters or keys, so cardinality stays bounded and no secret
// reaches a label.
package metrics

import (
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one server's registry and collectors.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	inFlight       prometheus.Gauge
	upstream       *prometheus.CounterVec
	upstreamErrors *prometheus.CounterVec
	toolCalls      *prometheus.CounterVec
}

// New registers clustergate's metrics, the Go runtime's and the process's.
func New(version string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clustergate_http_requests_total",
		Help: "HTTP requests by operationId (\"unmatched\" for no route), status and the caller's role (\"anonymous\" without authentication, \"none\" for a credential that grants no role): the role, never the caller's name, keeps the label's values few."}, []string{"operation", "status", "caller"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "clustergate_http_request_duration_seconds",
		Help: "HTTP request latency by operationId.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)}, []string{"operation"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "clustergate_http_requests_in_flight", Help: "HTTP requests being served."})
	m.upstream = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clustergate_upstream_requests_total",
		Help: "Operations forwarded to an upstream, by upstream and operationId."}, []string{"upstream", "operation"})
	m.upstreamErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clustergate_upstream_errors_total",
		Help: "Upstream failures and refusals, by upstream, operationId and the status clustergate answered."}, []string{"upstream", "operation", "status"})
	m.toolCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clustergate_mcp_tool_calls_total",
		Help: "MCP tool calls by tool and outcome (ok, error, refused)."}, []string{"tool", "outcome"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "clustergate_build_info",
		Help: "Always 1; labels say the build."}, []string{"version", "goversion"})
	build.WithLabelValues(version, runtime.Version()).Set(1)
	m.reg.MustRegister(m.requests, m.latency, m.inFlight, m.upstream, m.upstreamErrors, m.toolCalls, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Start counts a request in flight and returns the function that records it.
func (m *Metrics) Start() func(operation string, status int, caller string) {
	start := time.Now()
	m.inFlight.Inc()
	return func(operation string, status int, caller string) {
		m.inFlight.Dec()
		if operation == "" {
			operation = "unmatched"
		}
		m.requests.WithLabelValues(operation, strconv.Itoa(status), caller).Inc()
		m.latency.WithLabelValues(operation).Observe(time.Since(start).Seconds())
	}
}

// Upstream records an operation that reached an upstream; status is the
// answer when the upstream failed or refused, 0 when it succeeded.
func (m *Metrics) Upstream(upstream, operation string, failedStatus int) {
	m.upstream.WithLabelValues(upstream, operation).Inc()
	if failedStatus != 0 {
		m.upstreamErrors.WithLabelValues(upstream, operation, strconv.Itoa(failedStatus)).Inc()
	}
}

// ToolCall records one MCP tool call's outcome.
func (m *Metrics) ToolCall(tool, outcome string) { m.toolCalls.WithLabelValues(tool, outcome).Inc() }

// BreakerOpen reports at each scrape whether one upstream's circuit breaker
// is open (1: its calls are refused at once) or not (0). Registered once per
// upstream that has a breaker; a second registration of the same upstream
// (a registry shared by two servers) is ignored.
func (m *Metrics) BreakerOpen(upstream string, open func() bool) {
	if m == nil {
		return
	}
	_ = m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "clustergate_upstream_breaker_open",
		Help:        "1 while the upstream's circuit breaker is open and its calls are refused at once, else 0.",
		ConstLabels: prometheus.Labels{"upstream": upstream}}, func() float64 {
		if open() {
			return 1
		}
		return 0
	}))
}
