package app

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

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
}

// Build assembles the stack from the configuration; no upstream is contacted.
func Build(cfg *config.Config, log *slog.Logger, version string) (*Stack, error) {
	st := &Stack{Config: cfg, Log: log, Metrics: metrics.New(version)}
	var err error
	if st.Keys, err = auth.ParseKeys(cfg.APIKeys); err != nil {
		return nil, err
	}
	if cfg.APIKeysFile != "" {
		fileKeys, err := auth.LoadKeysFile(cfg.APIKeysFile)
		if err != nil {
			return nil, err
		}
		st.Keys = append(st.Keys, fileKeys...)
	}
	surfaces, err := Surfaces(cfg)
	if err != nil {
		return nil, err
	}
	for _, s := range surfaces {
		if s.Backend == server.BackendSandbox {
			_, hint := s.Configured()
			log.Warn("SANDBOX: this surface answers from an in-memory sandbox with made-up data, because its upstream is not configured",
				"surface", s.Name, "upstream", s.Upstream, "configure", hint)
		}
	}
	mode := catalog.Mode{ReadOnly: cfg.ReadOnly, DisableDestructive: cfg.DisableDestructive}
	st.Echo, err = server.New(server.Options{Keys: st.Keys, RequestTimeout: cfg.RequestTimeout, Log: log, Mode: mode,
		Metrics: st.Metrics, MaxBodyBytes: cfg.MaxBodyBytes, RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst}, surfaces)
	if err != nil {
		return nil, err
	}
	specs := map[string]*openapi3.T{}
	for _, s := range surfaces {
		specs[s.Name] = s.Spec
		st.Ops = append(st.Ops, s.Ops...)
	}
	all, err := mcp.Derive(specs, st.Ops)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if mode.Refusal(t.Op) == "" {
			st.Tools = append(st.Tools, t)
		}
	}
	st.Caller = &mcp.Caller{Handler: st.Echo, MaxResult: cfg.MCPMaxResult, Observe: st.Metrics.ToolCall}
	return st, nil
}

// MCPOptions are the MCP transport options from the configuration.
func (st *Stack) MCPOptions(version string, progress time.Duration) mcp.Options {
	var hosts []string
	for _, h := range strings.Split(st.Config.MCPAllowedHosts, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			hosts = append(hosts, h)
		}
	}
	return mcp.Options{Version: version, Stateless: st.Config.MCPStateless, AllowedHosts: hosts,
		Keys: st.Keys, StdioKey: st.Config.MCPKey, Log: st.Log, Progress: progress}
}

// MCPMux serves the stack's tools over streamable HTTP at /mcp.
func (st *Stack) MCPMux(version string, progress time.Duration) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/mcp", mcp.HTTPHandler(st.Tools, st.Caller, st.MCPOptions(version, progress)))
	return mux
}
