// Package config defines every setting of clustergate once, in Config's
// struct tags, and derives from them the command-line flags, the environment
// variables, the config-file keys and the configuration reference.
//
// Precedence: defaults < config file (--config) < environment < flags.
package config

import (
	"time"
)

// Config is clustergate's configuration. Each field's tags say its flag name
// (also its key in the YAML config file), its environment variable, its
// default and its help text; `secret` fields are never printed.
type Config struct {
	HTTPAddr       string        `flag:"http-addr" env:"CLUSTERGATE_HTTP_ADDR" default:":8080" help:"address of the REST listener"`
	APIKeys        string        `flag:"api-keys" env:"CLUSTERGATE_API_KEYS" secret:"true" help:"comma-separated role=key pairs; when set every /v1 route needs Authorization: Bearer <key>"`
	RequestTimeout time.Duration `flag:"request-timeout" env:"CLUSTERGATE_REQUEST_TIMEOUT" default:"30s" help:"deadline of one request, upstream calls included"`
	LogFormat      string        `flag:"log-format" env:"CLUSTERGATE_LOG_FORMAT" default:"json" help:"log format: json or text"`
	Sandbox        bool          `flag:"sandbox" env:"CLUSTERGATE_SANDBOX" default:"true" help:"serve each surface whose upstream is not configured from an in-memory sandbox (made-up data, announced in logs, /readyz and the X-Clustergate-Backend header); false answers 503 instead"`
	LogLevel       string        `flag:"log-level" env:"CLUSTERGATE_LOG_LEVEL" default:"info" help:"log level: debug, info, warn or error"`
	APIKeysFile    string        `flag:"api-keys-file" env:"CLUSTERGATE_API_KEYS_FILE" help:"YAML file of hashed API keys (name, role, sha256 of the key); adds to --api-keys"`
	MaxBodyBytes   int           `flag:"max-body-bytes" env:"CLUSTERGATE_MAX_BODY_BYTES" default:"1048576" help:"largest request body accepted (413 beyond)"`
	RateLimit      float64       `flag:"rate-limit" env:"CLUSTERGATE_RATE_LIMIT" default:"20" help:"requests per second per API key (per client address when no keys are set) on /v1; 0 disables"`
	RateBurst      int           `flag:"rate-burst" env:"CLUSTERGATE_RATE_BURST" default:"40" help:"requests a key may send at once above --rate-limit"`
	TLSCert        string        `flag:"tls-cert" env:"CLUSTERGATE_TLS_CERT" help:"PEM certificate: serve both listeners over TLS"`
	TLSKey         string        `flag:"tls-key" env:"CLUSTERGATE_TLS_KEY" help:"PEM key for --tls-cert"`

	IncusSocket     string        `flag:"incus-socket" env:"INCUS_SOCKET" default:"/var/lib/incus/unix.socket" help:"local Incus (or LXD) unix socket; used when --incus-url is empty"`
	IncusURL        string        `flag:"incus-url" env:"INCUS_URL" help:"remote Incus HTTPS address, e.g. https://incus.example:8443"`
	IncusClientCert string        `flag:"incus-client-cert" env:"INCUS_CLIENT_CERT" help:"PEM file of the client certificate for --incus-url"`
	IncusClientKey  string        `flag:"incus-client-key" env:"INCUS_CLIENT_KEY" help:"PEM file of the client key for --incus-url"`
	IncusServerCert string        `flag:"incus-server-cert" env:"INCUS_SERVER_CERT" help:"PEM file of the server certificate to trust for --incus-url"`
	IncusAPIKey     string        `flag:"incus-api-key" env:"INCUS_API_KEY" secret:"true" help:"bearer token sent to Incus, when set"`
	IncusWait       time.Duration `flag:"incus-wait" env:"INCUS_WAIT" default:"20s" help:"how long an async Incus operation is waited for before answering 202 with it"`

	PortworxEndpoint   string        `flag:"portworx-endpoint" env:"PORTWORX_ENDPOINT" default:"http://127.0.0.1:9021" help:"OpenStorage SDK REST address (Portworx serves it on 9021)"`
	PortworxAPIKey     string        `flag:"portworx-api-key" env:"PORTWORX_API_KEY" secret:"true" help:"bearer JWT sent to the OpenStorage SDK, when set"`
	PortworxCAFile     string        `flag:"portworx-ca-file" env:"PORTWORX_CA_FILE" help:"PEM bundle to trust for an https endpoint"`
	PortworxClientCert string        `flag:"portworx-client-cert" env:"PORTWORX_CLIENT_CERT" help:"PEM client certificate for the endpoint"`
	PortworxClientKey  string        `flag:"portworx-client-key" env:"PORTWORX_CLIENT_KEY" help:"PEM client key for the endpoint"`
	PortworxTimeout    time.Duration `flag:"portworx-timeout" env:"PORTWORX_TIMEOUT" default:"10s" help:"timeout of one call to the OpenStorage SDK"`
	PortworxRetries    int           `flag:"portworx-retries" env:"PORTWORX_RETRIES" default:"2" help:"extra attempts, with backoff, for reads only (never for create, reset-token or delete)"`

	MCPAddr            string `flag:"mcp-addr" env:"CLUSTERGATE_MCP_ADDR" default:":9090" help:"address of the MCP listener (streamable HTTP at /mcp); empty disables it"`
	MCPStateless       bool   `flag:"mcp-stateless" env:"CLUSTERGATE_MCP_STATELESS" default:"false" help:"serve MCP without sessions, so any number of replicas can sit behind a load balancer"`
	MCPAllowedHosts    string `flag:"mcp-allowed-hosts" env:"CLUSTERGATE_MCP_ALLOWED_HOSTS" help:"comma-separated Host header values /mcp accepts; empty accepts any (requests to loopback keep DNS-rebinding protection)"`
	MCPKey             string `flag:"mcp-key" env:"CLUSTERGATE_MCP_KEY" secret:"true" help:"API key that 'clustergate mcp' (stdio) presents for its tool calls when API keys are configured"`
	MCPMaxResult       int    `flag:"mcp-max-result" env:"CLUSTERGATE_MCP_MAX_RESULT" default:"524288" help:"bytes of a tool result at most; larger results are cut with an explicit marker"`
	ReadOnly           bool   `flag:"read-only" env:"CLUSTERGATE_READ_ONLY" default:"false" help:"serve only read-only operations: other tools are hidden and other routes answer 403"`
	DisableDestructive bool   `flag:"disable-destructive" env:"CLUSTERGATE_DISABLE_DESTRUCTIVE" default:"false" help:"hide destructive tools and refuse destructive routes (403)"`

	Kubeconfig          string        `flag:"kubeconfig" env:"KUBECONFIG" help:"kubeconfig of the Cluster API management cluster (several paths joined by ':' merge, as in kubectl); empty means the in-cluster service account"`
	KubeContext         string        `flag:"kube-context" env:"CLUSTERGATE_KUBE_CONTEXT" help:"context of --kubeconfig to use; empty means its current context"`
	CAPIWorkloadTimeout time.Duration `flag:"capi-workload-timeout" env:"CLUSTERGATE_CAPI_WORKLOAD_TIMEOUT" default:"10s" help:"how long get_cluster_nodes waits for a workload cluster's API before listing its Machines instead"`
	CAPIImpersonate     bool          `flag:"capi-impersonate" env:"CLUSTERGATE_CAPI_IMPERSONATE" default:"false" help:"make every call to the management cluster as the caller (Kubernetes impersonation of the key name or token subject, its groups and clustergate:<role>), so the management cluster's RBAC decides; clustergate's own credential then needs only the impersonate verb"`

	OIDCIssuer     string        `flag:"oidc-issuer" env:"CLUSTERGATE_OIDC_ISSUER" help:"OAuth 2 / OIDC issuer URL: bearer JWT access tokens it signs are accepted (roles from the scopes clustergate:viewer, clustergate:operator, clustergate:admin)"`
	OIDCAudience   string        `flag:"oidc-audience" env:"CLUSTERGATE_OIDC_AUDIENCE" help:"audience an access token must name in its aud claim (required with --oidc-issuer)"`
	OIDCRolesClaim string        `flag:"oidc-roles-claim" env:"CLUSTERGATE_OIDC_ROLES_CLAIM" help:"token claim holding group names (e.g. groups) that --oidc-group-roles maps to roles"`
	OIDCGroupRoles string        `flag:"oidc-group-roles" env:"CLUSTERGATE_OIDC_GROUP_ROLES" help:"comma-separated group=role pairs for --oidc-roles-claim, e.g. platform-admins=admin,sre=operator"`
	OIDCClockSkew  time.Duration `flag:"oidc-clock-skew" env:"CLUSTERGATE_OIDC_CLOCK_SKEW" default:"30s" help:"clock difference tolerated on a token's exp (nbf has go-oidc's own 5 minutes)"`

	// explicit holds the flag names given by file, environment or flag.
	explicit map[string]bool
}

// IsSet says whether a setting was given (file, environment or flag)
// rather than left at its default.
func (c *Config) IsSet(flag string) bool { return c.explicit[flag] }
