// Package config defines every setting of clustergate once, as a field of
// Config with tags, and derives from those tags the typed command-line flags
// (github.com/spf13/pflag, through cobra), the environment variables, the
// config-file keys, --help, the README's configuration table and the Helm
// chart's values reference. Flags are github.com/spf13/pflag values (v1.0.10,
// the version cobra requires, pinned in go.mod): GNU-style flags whose value
// may be optional, which is what a bare boolean (--read-only) needs and the
// standard library's flag package gives only to its own bool type.
//
// Precedence: defaults < config file (--config) < environment < flags.
//
// A setting's type comes from its Go type (string, bool, int, float64,
// time.Duration, []string), refined by the `kind` tag: size (bytes, "1MiB"),
// file (a path that must be readable), filelist (paths joined by ':'), url
// (http or https), addr (host:port). `enum` lists the allowed values;
// `secret` settings are never printed; `helm` names the chart value that sets
// the setting. A new setting is one field here: nothing else lists settings.
package config

import (
	"time"
)

// Config is clustergate's configuration. Each field's tags say its flag name
// (also its key in the YAML config file), its environment variable, its
// default and its help text; see the package doc for the other tags.
type Config struct {
	HTTPAddr       string        `flag:"http-addr" env:"CLUSTERGATE_HTTP_ADDR" kind:"addr" default:"127.0.0.1:8080" help:"address of the REST listener; a non-loopback address needs API keys or --insecure-allow-anonymous"`
	APIKeys        string        `flag:"api-keys" env:"CLUSTERGATE_API_KEYS" secret:"true" helm:"secrets.apiKeys" help:"comma-separated role=key pairs; when set every /v1 route needs Authorization: Bearer <key>"`
	RequestTimeout time.Duration `flag:"request-timeout" env:"CLUSTERGATE_REQUEST_TIMEOUT" default:"30s" helm:"config.requestTimeout" help:"deadline of one request, upstream calls included"`
	LogFormat      string        `flag:"log-format" env:"CLUSTERGATE_LOG_FORMAT" enum:"json,text" default:"json" helm:"config.logFormat" help:"log format"`
	Sandbox        bool          `flag:"sandbox" env:"CLUSTERGATE_SANDBOX" default:"true" helm:"config.sandbox" help:"serve each surface whose upstream is not configured from an in-memory sandbox (made-up data, announced in logs, /readyz and the X-Clustergate-Backend header); false answers 503 instead"`
	LogLevel       string        `flag:"log-level" env:"CLUSTERGATE_LOG_LEVEL" enum:"debug,info,warn,error" default:"info" helm:"config.logLevel" help:"log level"`
	APIKeysFile    string        `flag:"api-keys-file" env:"CLUSTERGATE_API_KEYS_FILE" kind:"file" help:"YAML file of hashed API keys: a list of {name, role, sha256} (sha256sum of the key); adds to --api-keys"`
	MaxBodyBytes   int           `flag:"max-body-bytes" env:"CLUSTERGATE_MAX_BODY_BYTES" kind:"size" default:"1MiB" help:"largest request body accepted (413 beyond)"`
	RateLimit      float64       `flag:"rate-limit" env:"CLUSTERGATE_RATE_LIMIT" default:"20" help:"requests per second per caller identity (per client address when anonymous) on /v1, counted by each replica on its own (N replicas allow N times as much); 0 disables"`
	RateBurst      int           `flag:"rate-burst" env:"CLUSTERGATE_RATE_BURST" default:"40" help:"requests a key may send at once above --rate-limit"`
	TLSCert        string        `flag:"tls-cert" env:"CLUSTERGATE_TLS_CERT" kind:"file" help:"PEM certificate: serve both listeners over TLS"`
	TLSKey         string        `flag:"tls-key" env:"CLUSTERGATE_TLS_KEY" kind:"file" help:"PEM key for --tls-cert"`

	AuditLog               string `flag:"audit-log" env:"CLUSTERGATE_AUDIT_LOG" help:"append one JSON line per call that changes state or reveals a secret (REST or MCP, allowed or refused) to this file, '-' for stdout; reopened on SIGHUP; a failed write answers 503"`
	TrustedProxies         string `flag:"trusted-proxies" env:"CLUSTERGATE_TRUSTED_PROXIES" help:"comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (rate limit, audit); empty believes no X-Forwarded-For"`
	InsecureAllowAnonymous bool   `flag:"insecure-allow-anonymous" env:"CLUSTERGATE_INSECURE_ALLOW_ANONYMOUS" default:"false" help:"allow listening on a non-loopback address with no API keys: anyone who can reach it may do anything"`

	BreakerFailures int           `flag:"breaker-failures" env:"CLUSTERGATE_BREAKER_FAILURES" default:"5" help:"upstream failures in a row (502/503/504 attributed to the upstream, not callers' 4xx) that open one named upstream's circuit breaker: its calls then answer 503 at once, with Retry-After, for --breaker-cooldown; 0 turns breakers off; an upstreams: entry may set its own breaker-failures"`
	BreakerCooldown time.Duration `flag:"breaker-cooldown" env:"CLUSTERGATE_BREAKER_COOLDOWN" default:"10s" help:"how long an open circuit breaker refuses calls before it lets one probe call through (answered: closed again); an upstreams: entry may set its own breaker-cooldown"`

	PprofAddr string `flag:"pprof-addr" env:"CLUSTERGATE_PPROF_ADDR" kind:"addr" help:"serve Go's runtime profiles (net/http/pprof: CPU, heap, goroutines) on this loopback address, to profile a running replica (kubectl port-forward reaches it); empty: off; unauthenticated, so a non-loopback address is refused"`

	ShutdownDelay   time.Duration `flag:"shutdown-delay" env:"CLUSTERGATE_SHUTDOWN_DELAY" default:"5s" help:"on SIGTERM, how long /readyz answers 503 while both listeners keep serving, so load balancers stop sending before they close; 0 closes at once"`
	ShutdownTimeout time.Duration `flag:"shutdown-timeout" env:"CLUSTERGATE_SHUTDOWN_TIMEOUT" default:"30s" help:"after --shutdown-delay, how long requests in flight and MCP streams get to finish before the rest are cut"`

	IncusSocket     string        `flag:"incus-socket" env:"INCUS_SOCKET" default:"/var/lib/incus/unix.socket" help:"local Incus (or LXD) unix socket; used when --incus-url is empty"`
	IncusURL        string        `flag:"incus-url" env:"INCUS_URL" kind:"url" helm:"incus.url" help:"remote Incus HTTPS address, e.g. https://incus.example:8443"`
	IncusClientCert string        `flag:"incus-client-cert" env:"INCUS_CLIENT_CERT" kind:"file" helm:"incus.tls.clientCertKey" help:"PEM file of the client certificate for --incus-url"`
	IncusClientKey  string        `flag:"incus-client-key" env:"INCUS_CLIENT_KEY" kind:"file" helm:"incus.tls.clientKeyKey" help:"PEM file of the client key for --incus-url"`
	IncusServerCert string        `flag:"incus-server-cert" env:"INCUS_SERVER_CERT" kind:"file" helm:"incus.tls.serverCertKey" help:"PEM file of the server certificate to trust for --incus-url"`
	IncusAPIKey     string        `flag:"incus-api-key" env:"INCUS_API_KEY" secret:"true" helm:"secrets.incusApiKey" help:"bearer token sent to Incus, when set"`
	IncusWait       time.Duration `flag:"incus-wait" env:"INCUS_WAIT" default:"20s" helm:"incus.wait" help:"how long an async Incus operation is waited for before answering 202 with it"`

	PortworxEndpoint   string        `flag:"portworx-endpoint" env:"PORTWORX_ENDPOINT" kind:"url" default:"http://127.0.0.1:9021" helm:"portworx.endpoint" help:"OpenStorage SDK REST address (Portworx serves it on 9021)"`
	PortworxAPIKey     string        `flag:"portworx-api-key" env:"PORTWORX_API_KEY" secret:"true" helm:"secrets.portworxApiKey" help:"bearer JWT sent to the OpenStorage SDK, when set"`
	PortworxCAFile     string        `flag:"portworx-ca-file" env:"PORTWORX_CA_FILE" kind:"file" helm:"portworx.tls.caKey" help:"PEM bundle to trust for an https endpoint"`
	PortworxClientCert string        `flag:"portworx-client-cert" env:"PORTWORX_CLIENT_CERT" kind:"file" helm:"portworx.tls.clientCertKey" help:"PEM client certificate for the endpoint"`
	PortworxClientKey  string        `flag:"portworx-client-key" env:"PORTWORX_CLIENT_KEY" kind:"file" helm:"portworx.tls.clientKeyKey" help:"PEM client key for the endpoint"`
	PortworxTimeout    time.Duration `flag:"portworx-timeout" env:"PORTWORX_TIMEOUT" default:"10s" helm:"portworx.timeout" help:"timeout of one call to the OpenStorage SDK"`
	PortworxRetries    int           `flag:"portworx-retries" env:"PORTWORX_RETRIES" default:"2" helm:"portworx.retries" help:"extra attempts, with backoff, for reads only (never for create, reset-token or delete)"`

	MCPAddr            string        `flag:"mcp-addr" env:"CLUSTERGATE_MCP_ADDR" kind:"addr" default:"127.0.0.1:9090" helm:"mcp.enabled" help:"address of the MCP listener (streamable HTTP at /mcp); empty disables it; a non-loopback address needs API keys or --insecure-allow-anonymous"`
	MCPStateless       bool          `flag:"mcp-stateless" env:"CLUSTERGATE_MCP_STATELESS" default:"false" helm:"mcp.stateless" help:"serve MCP without sessions, so any number of replicas can sit behind a load balancer"`
	MCPAllowedHosts    []string      `flag:"mcp-allowed-hosts" env:"CLUSTERGATE_MCP_ALLOWED_HOSTS" helm:"mcp.allowedHosts" help:"Host header values /mcp accepts; empty accepts any (requests to loopback keep DNS-rebinding protection)"`
	MCPKey             string        `flag:"mcp-key" env:"CLUSTERGATE_MCP_KEY" secret:"true" help:"API key that 'clustergate mcp' (stdio) presents for its tool calls when API keys are configured"`
	MCPSessionIdle     time.Duration `flag:"mcp-session-idle" env:"CLUSTERGATE_MCP_SESSION_IDLE" default:"10m" help:"close an MCP session after this long without a request"`
	MCPMaxSessions     int           `flag:"mcp-max-sessions" env:"CLUSTERGATE_MCP_MAX_SESSIONS" default:"1000" help:"open MCP sessions at most; the next initialize is refused (503) until one closes"`
	MCPSessionsPerUser int           `flag:"mcp-max-sessions-per-caller" env:"CLUSTERGATE_MCP_MAX_SESSIONS_PER_CALLER" default:"100" help:"open MCP sessions per caller (API key, or address when anonymous) at most; the next initialize is refused (429)"`
	MCPMaxResult       int           `flag:"mcp-max-result" env:"CLUSTERGATE_MCP_MAX_RESULT" kind:"size" default:"512KiB" helm:"mcp.maxResult" help:"bytes of a tool result at most; larger results are cut with an explicit marker"`
	ReadOnly           bool          `flag:"read-only" env:"CLUSTERGATE_READ_ONLY" default:"false" helm:"config.readOnly" help:"serve only read-only operations: other tools are hidden and other routes answer 403"`
	DisableDestructive bool          `flag:"disable-destructive" env:"CLUSTERGATE_DISABLE_DESTRUCTIVE" default:"false" helm:"config.disableDestructive" help:"hide destructive tools and refuse destructive routes (403)"`

	Kubeconfig          string        `flag:"kubeconfig" env:"KUBECONFIG" kind:"filelist" helm:"capi.kubeconfigSecret" help:"kubeconfig of the Cluster API management cluster (several paths joined by ':' merge, as in kubectl); empty means the in-cluster service account"`
	KubeContext         string        `flag:"kube-context" env:"CLUSTERGATE_KUBE_CONTEXT" helm:"capi.kubeContext" help:"context of --kubeconfig to use; empty means its current context"`
	CAPIWorkloadTimeout time.Duration `flag:"capi-workload-timeout" env:"CLUSTERGATE_CAPI_WORKLOAD_TIMEOUT" default:"10s" helm:"capi.workloadTimeout" help:"how long get_cluster_nodes waits for a workload cluster's API before listing its Machines instead"`
	CAPIImpersonate     bool          `flag:"capi-impersonate" env:"CLUSTERGATE_CAPI_IMPERSONATE" default:"false" helm:"capi.impersonate" help:"make every call to the management cluster as the caller (Kubernetes impersonation of the key name or token subject, its groups and clustergate:<role>), so the management cluster's RBAC decides; clustergate's own credential then needs only the impersonate verb"`

	OIDCIssuer     string        `flag:"oidc-issuer" env:"CLUSTERGATE_OIDC_ISSUER" kind:"url" helm:"oidc.issuer" help:"OAuth 2 / OIDC issuer URL: bearer JWT access tokens it signs are accepted (roles from the scopes clustergate:viewer, clustergate:operator, clustergate:admin)"`
	OIDCAudience   string        `flag:"oidc-audience" env:"CLUSTERGATE_OIDC_AUDIENCE" helm:"oidc.audience" help:"audience an access token must name in its aud claim (required with --oidc-issuer)"`
	OIDCRolesClaim string        `flag:"oidc-roles-claim" env:"CLUSTERGATE_OIDC_ROLES_CLAIM" helm:"oidc.rolesClaim" help:"token claim holding group names (e.g. groups) that --oidc-group-roles maps to roles"`
	OIDCGroupRoles []string      `flag:"oidc-group-roles" env:"CLUSTERGATE_OIDC_GROUP_ROLES" helm:"oidc.groupRoles" help:"group=role pairs for --oidc-roles-claim, e.g. platform-admins=admin,sre=operator"`
	OIDCClockSkew  time.Duration `flag:"oidc-clock-skew" env:"CLUSTERGATE_OIDC_CLOCK_SKEW" default:"30s" helm:"oidc.clockSkew" help:"clock difference tolerated on a token's exp (nbf has go-oidc's own 5 minutes)"`

	// Scopes of identity-provider groups to named upstreams, as keys have.
	OIDCGroupUpstreams []string `flag:"oidc-group-upstreams" env:"CLUSTERGATE_OIDC_GROUP_UPSTREAMS" help:"group=upstream pairs for --oidc-roles-claim, e.g. site-east=east,site-east=dc1: a token in a listed group reaches only its groups' named upstreams (403 elsewhere); a token in none reaches all"`

	// Upstreams is the config file's `upstreams:` section (named upstreams
	// per surface); the flags above define the upstream named "default".
	Upstreams Upstreams

	// explicit holds the flag names given by file, environment or flag.
	explicit map[string]bool
	// source says where each explicit setting's value came from, for
	// messages that name it the way the operator wrote it.
	source map[string]string
}

// IsSet says whether a setting was given (file, environment or flag)
// rather than left at its default.
func (c *Config) IsSet(flag string) bool { return c.explicit[flag] }

// Source says where a setting's value came from: "--flag", "ENV_VAR",
// "file.yaml: key", or "default".
func (c *Config) Source(flag string) string {
	if src, ok := c.source[flag]; ok {
		return src
	}
	return "default"
}
