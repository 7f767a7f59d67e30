package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/audit"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/metrics"
	"github.com/clustergate/clustergate/internal/server"
	"github.com/clustergate/clustergate/mcp"
)

// Stack is everything `serve`, `mcp` and the end-to-end tests share: one
// HTTP handler chain, and the MCP tools that call into it.
type Stack struct {
	Config  *config.Config
	Log     *slog.Logger
	Keys    auth.Keys
	Echo    *echo.Echo
	Ops     []catalog.Op // every facade operation, whatever the mode
	Tools   []mcp.Tool   // the MCP tools the mode allows
	Caller  *mcp.Caller
	Metrics *metrics.Metrics
	Audit   *audit.Log    // nil without --audit-log
	Proxies auth.Proxies  // --trusted-proxies
	Drain   *server.Drain // /readyz answers 503 once it starts (graceful stop)
	// Tokens verifies the identity provider's access tokens; nil without
	// --oidc-issuer.
	Tokens auth.TokenVerifier
	// Surfaces says what serves each surface and why, as /readyz does.
	Surfaces []SurfaceInfo
}

// SurfaceInfo is one surface's backend: the upstream (and which setting
// configured it) or the sandbox (and how to configure the upstream).
type SurfaceInfo struct {
	Name, Backend, Note string
	// Upstreams are the surface's named upstreams, the default first.
	Upstreams []SurfaceInfo
}

// Build assembles the stack from the configuration; no upstream is contacted.
func Build(cfg *config.Config, log *slog.Logger, version string) (*Stack, error) {
	return assemble(cfg, log, version, true)
}

// BuildBeside is Build using one CPU at a time, for a stack built in the
// background while the process answers its first requests on the others
// (the stdio server's first tools/list: with every CPU parsing specs, the
// goroutine reading the client waited for one).
func BuildBeside(cfg *config.Config, log *slog.Logger, version string) (*Stack, error) {
	return assemble(cfg, log, version, false)
}

func assemble(cfg *config.Config, log *slog.Logger, version string, parallel bool) (*Stack, error) {
	st := &Stack{Config: cfg, Log: log, Metrics: metrics.New(version), Drain: &server.Drain{}}
	var err error
	if st.Keys, err = LoadKeys(cfg); err != nil {
		return nil, err
	}
	if st.Proxies, err = auth.ParseProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted-proxies (%s): %w", cfg.Source("trusted-proxies"), err)
	}
	if st.Audit, err = audit.Open(cfg.AuditLog); err != nil {
		return nil, fmt.Errorf("audit-log (%s): %w", cfg.Source("audit-log"), err)
	}
	if st.Tokens, err = tokenVerifier(cfg); err != nil {
		return nil, err
	}
	surfaces, err := buildSurfaces(cfg, parallel)
	if err != nil {
		return nil, err
	}
	for _, s := range surfaces {
		_, note := s.Configured()
		info := SurfaceInfo{Name: s.Name, Backend: s.Backend, Note: note}
		for _, n := range s.Named {
			_, why := n.Configured()
			info.Upstreams = append(info.Upstreams, SurfaceInfo{Name: n.Name, Backend: n.Backend, Note: why})
		}
		st.Surfaces = append(st.Surfaces, info)
		if s.Backend == server.BackendSandbox {
			hint := note
			log.Warn("SANDBOX: this surface answers from an in-memory sandbox with made-up data, because its upstream is not configured",
				"surface", s.Name, "upstream", s.Upstream, "configure", hint)
		}
	}
	st.Echo, err = server.New(server.Options{Keys: st.Keys, RequestTimeout: cfg.RequestTimeout, Log: log, Mode: modeOf(cfg),
		Metrics: st.Metrics, MaxBodyBytes: cfg.MaxBodyBytes, RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst,
		Audit: st.Audit, Proxies: st.Proxies, Drain: st.Drain, Tokens: st.Tokens}, surfaces)
	if err != nil {
		return nil, err
	}
	var all []mcp.Tool
	if st.Ops, all, err = deriveTools(surfaces); err != nil {
		return nil, err
	}
	st.Tools = Allowed(cfg, all)
	st.Caller = &mcp.Caller{Handler: st.Echo, MaxResult: cfg.MCPMaxResult, Observe: st.Metrics.ToolCall,
		Audit: st.Audit, Keys: st.Keys, Tokens: st.Tokens}
	return st, nil
}

// deriveTools lists every operation of the surfaces and derives every MCP
// tool, whatever the mode.
func deriveTools(surfaces []server.Surface) ([]catalog.Op, []mcp.Tool, error) {
	specs := map[string]*openapi3.T{}
	var ops []catalog.Op
	for _, s := range surfaces {
		specs[s.Name] = s.Spec
		ops = append(ops, s.Ops...)
	}
	// GET /v1/upstreams is clustergate's own operation: listed with the
	// others (routes, README, tools), served by internal/server.
	upOp, upSpec := upstreamsOp()
	specs[upstreamsSurface] = upSpec
	ops = append(ops, upOp)
	tools, err := mcp.Derive(specs, ops)
	return ops, tools, err
}

// Allowed keeps the tools the configured mode serves (--read-only,
// --disable-destructive), as the REST routes do.
func Allowed(cfg *config.Config, tools []mcp.Tool) []mcp.Tool {
	mode := modeOf(cfg)
	var out []mcp.Tool
	for _, t := range tools {
		if mode.Refusal(t.Op) == "" {
			out = append(out, t)
		}
	}
	return out
}

// modeOf is what the configuration lets clustergate serve.
func modeOf(cfg *config.Config) catalog.Mode {
	return catalog.Mode{ReadOnly: cfg.ReadOnly, DisableDestructive: cfg.DisableDestructive}
}

// AllTools derives every MCP tool from the embedded specs as Build does.
// The tools do not depend on the configuration (Allowed and the caller's
// role pick among them): `make generate` writes their listings
// (cmd/toolsgen) for the stdio server's first tools/list.
func AllTools() ([]mcp.Tool, error) {
	cfg, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	surfaces, err := Surfaces(cfg)
	if err != nil {
		return nil, err
	}
	_, tools, err := deriveTools(surfaces)
	return tools, err
}

// LoadKeys reads --api-keys and --api-keys-file and refuses a key given
// twice, naming the setting that does.
func LoadKeys(cfg *config.Config) (auth.Keys, error) {
	keys, err := auth.ParseKeys(cfg.APIKeys)
	if err != nil {
		return nil, fmt.Errorf("api-keys (%s): %w", cfg.Source("api-keys"), err)
	}
	if err := keys.Check("--api-keys"); err != nil {
		return nil, err
	}
	if cfg.APIKeysFile == "" {
		return keys, nil
	}
	fileKeys, err := auth.LoadKeysFile(cfg.APIKeysFile)
	if err != nil {
		return nil, fmt.Errorf("api-keys-file (%s): %w", cfg.Source("api-keys-file"), err)
	}
	if err := fileKeys.Check("--api-keys-file " + cfg.APIKeysFile); err != nil {
		return nil, err
	}
	keys = append(keys, fileKeys...)
	return keys, keys.Check("--api-keys and --api-keys-file")
}

// MCPOptions are the MCP transport options from the configuration.
func (st *Stack) MCPOptions(version string, progress time.Duration) mcp.Options {
	o := MCPOptions(st.Config, st.Keys, st.Log, version, progress)
	o.Tokens, o.Proxies, o.Surfaces = st.Tokens, st.Proxies, st.upstreamNames()
	return o
}

// MCPOptions are the MCP transport options the configuration and the keys
// give, before a stack is built (the stdio server lists its tools while the
// stack is built); Stack.MCPOptions adds what the build makes.
func MCPOptions(cfg *config.Config, keys auth.Keys, log *slog.Logger, version string, progress time.Duration) mcp.Options {
	var hosts []string
	for _, h := range cfg.MCPAllowedHosts {
		hosts = append(hosts, strings.ToLower(h))
	}
	return mcp.Options{Version: version, Stateless: cfg.MCPStateless, AllowedHosts: hosts,
		Keys: keys, StdioKey: cfg.MCPKey, Log: log, Progress: progress,
		SessionIdle: cfg.MCPSessionIdle, MaxSessions: cfg.MCPMaxSessions, PerCaller: cfg.MCPSessionsPerUser}
}

// MCPMux serves the stack's tools over streamable HTTP at /mcp; the
// listener's own error answers use the facade's JSON error shape.
func (st *Stack) MCPMux(version string, progress time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcp.HTTPHandler(st.Tools, st.Caller, st.MCPOptions(version, progress)))
	if st.Tokens != nil {
		mux.Handle("GET "+auth.MetadataPath+"/mcp", auth.MetadataHandler(st.Tokens, "/mcp", "clustergate MCP"))
	}
	return server.JSONErrors(mux)
}

// upstreamNames is each surface's upstream names, for the MCP tool lists of
// scoped keys.
func (st *Stack) upstreamNames() map[string][]string {
	out := map[string][]string{}
	for _, s := range st.Surfaces {
		for _, u := range s.Upstreams {
			out[s.Name] = append(out[s.Name], u.Name)
		}
	}
	return out
}
