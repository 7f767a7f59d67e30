package mcp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/vocab"
)

// Options configure the MCP server and its transports.
type Options struct {
	Version      string
	Stateless    bool               // streamable HTTP without sessions, for many replicas
	AllowedHosts []string           // Host header values /mcp accepts; empty: any (loopback keeps the SDK's rebinding guard)
	Keys         auth.Keys          // bearer keys on HTTP; empty: no key needed
	Tokens       auth.TokenVerifier // access tokens of the identity provider; nil without one
	StdioKey     string             // key stdio calls present to the handler chain
	Log          *slog.Logger       //
	Progress     time.Duration
	Proxies      auth.Proxies  // whose X-Forwarded-For names the caller
	SessionIdle  time.Duration // close a session after this long without a request; 0: never
	MaxSessions  int           // open sessions at most; 0: no cap
	PerCaller    int           // open sessions per caller at most; 0: no cap
	// Surfaces names each surface's upstreams, so that a key scoped to some
	// upstreams lists only the tools it may use (ForScope).
	Surfaces map[string][]string
	versions []string // protocol revisions the transport speaks (Versions); empty: all
}

// newServer registers every tool on a fresh SDK server.
func newServer(tools []Tool, caller *Caller, opts Options, authz func(*sdk.CallToolRequest) string) *sdk.Server {
	s := newSDKServer(opts)
	for i := range tools {
		t := tools[i]
		s.AddTool(sdkTool(t), toolHandler(&t, caller, opts.Progress, authz))
	}
	return s
}

func newSDKServer(opts Options) *sdk.Server {
	return sdk.NewServer(&sdk.Implementation{Name: "clustergate", Title: "clustergate", Version: opts.Version},
		&sdk.ServerOptions{Logger: opts.Log, SupportedProtocolVersions: opts.versions})
}

func sdkTool(t Tool) *sdk.Tool {
	destructive, openWorld := t.Annotations.Destructive, t.Annotations.OpenWorld
	st := &sdk.Tool{Name: t.Name, Title: t.Title, Description: t.Description, InputSchema: t.InputSchema,
		Annotations: &sdk.ToolAnnotations{Title: t.Annotations.Title, ReadOnlyHint: t.Annotations.ReadOnly,
			DestructiveHint: &destructive, IdempotentHint: t.Annotations.Idempotent, OpenWorldHint: &openWorld}}
	if t.OutputSchema != nil {
		st.OutputSchema = t.OutputSchema
	}
	if t.listedInput != nil { // a listed tool: its schemas as the listing holds them
		st.InputSchema = t.listedInput
		if t.listedOutput != nil {
			st.OutputSchema = t.listedOutput
		}
	}
	return st
}

// toolHandler runs a call through the Caller, sending progress while it
// waits when the client asked for it; a cancelled call cancels the request.
func toolHandler(t *Tool, caller *Caller, every time.Duration, authz func(*sdk.CallToolRequest) string) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		if tok := req.Params.GetProgressToken(); tok != nil && every > 0 {
			stop := heartbeat(ctx, req, tok, t.Name, every)
			defer stop()
		}
		if req.Extra != nil && req.Extra.Header != nil {
			ctx = withPeer(ctx, req.Extra.Header.Get(PeerHeader))
		}
		o := caller.Call(ctx, t, req.Params.Arguments, authz(req))
		res := &sdk.CallToolResult{IsError: o.IsError, Content: []sdk.Content{&sdk.TextContent{Text: o.Text}}}
		if o.Structured != nil {
			res.StructuredContent = o.Structured
		}
		if o.Truncated {
			res.Meta = sdk.Meta{"clustergate/truncated": true}
		}
		return res, nil
	}
}

// heartbeat reports progress every interval until the call ends.
func heartbeat(ctx context.Context, req *sdk.CallToolRequest, tok any, name string, every time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		start := time.Now()
		for n := 1; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = req.Session.NotifyProgress(ctx, &sdk.ProgressNotificationParams{ProgressToken: tok, Progress: float64(n),
					Message: fmt.Sprintf("%s: waiting for the upstream (%s)", name, time.Since(start).Round(time.Second))})
			}
		}
	}()
	return func() { cancel(); <-done }
}

// HTTPHandler serves MCP over streamable HTTP, behind a Host check, the
// standard library's cross-origin protection (the SDK checks no Origin),
// the caller's identification (a bearer key when keys are configured) and
// the session caps.
func HTTPHandler(tools []Tool, caller *Caller, opts Options) http.Handler {
	authz := func(r *sdk.CallToolRequest) string {
		if r.Extra == nil || r.Extra.Header == nil {
			return ""
		}
		return r.Extra.Header.Get("Authorization")
	}
	opts.versions = Versions(!opts.Stateless)
	pick, all := servers(tools, caller, opts, authz)
	// An explicit Host allow-list replaces the SDK's localhost rebinding
	// guard, which would refuse an allowed name arriving over loopback.
	var h http.Handler = sdk.NewStreamableHTTPHandler(pick, &sdk.StreamableHTTPOptions{Stateless: opts.Stateless,
		Logger: opts.Log, DisableLocalhostProtection: len(opts.AllowedHosts) > 0, SessionTimeout: opts.SessionIdle})
	if !opts.Stateless && opts.MaxSessions > 0 && opts.PerCaller > 0 {
		h = (&sessionCap{max: opts.MaxSessions, perCaller: opts.PerCaller, idle: opts.SessionIdle, servers: all.list,
			owner: map[string]string{}, pending: map[string]int{}}).wrap(h)
	}
	authn := auth.Authenticator{Keys: opts.Keys, Tokens: opts.Tokens}
	if authn.Enabled() {
		// authenticate has refused every bad credential already; the SDK's
		// check adds the token info it ties each session to its owner with.
		h = sdkauth.RequireBearerToken(verifier, &sdkauth.RequireBearerTokenOptions{AllowMissingExpiration: true})(h)
	}
	h = authenticate(authn, opts.Proxies, auth.NewThrottle(), h)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse(w, r, http.StatusForbidden, "cross-origin request refused: /mcp does not serve browsers on other origins")
	}))
	return hostCheck(opts.AllowedHosts, cop.Handler(h))
}

// ServeStdio serves MCP on stdin and stdout until the client closes them or
// ctx ends.
func ServeStdio(ctx context.Context, tools []Tool, caller *Caller, opts Options) error {
	authz, tools, err := stdioTools(tools, opts)
	if err != nil {
		return err
	}
	srv := newServer(tools, caller, opts, func(*sdk.CallToolRequest) string { return authz })
	return srv.Run(ctx, &sdk.StdioTransport{})
}

// Built is what a tool call needs: the derived tools and their caller.
type Built struct {
	Tools  []Tool
	Caller *Caller
}

// ServeStdioPending serves MCP on stdin and stdout as ServeStdio does, while
// the stack is still being built: tools/list answers from listed (the
// generated listings, ListedTools) at once, and a tool call waits for built,
// then runs the derived tool of the same name. opts.Surfaces must be set
// when the stdio key has an upstream scope (ForScope needs it).
func ServeStdioPending(ctx context.Context, listed []Tool, built func(context.Context) (Built, error), opts Options) error {
	authz, tools, err := stdioTools(listed, opts)
	if err != nil {
		return err
	}
	srv := newSDKServer(opts)
	byAuthz := func(*sdk.CallToolRequest) string { return authz }
	for _, t := range tools {
		name := t.Name
		srv.AddTool(sdkTool(t), func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			b, err := built(ctx)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(b.Tools, func(d Tool) bool { return d.Name == name })
			if i < 0 { // the listing and the derivation disagree: `make generate` was not run
				return nil, fmt.Errorf("tool %s is listed but was not derived from the specs", name)
			}
			return toolHandler(&b.Tools[i], b.Caller, opts.Progress, byAuthz)(ctx, req)
		})
	}
	return srv.Run(ctx, &sdk.StdioTransport{})
}

// stdioTools is the Authorization a stdio session's calls carry and the
// tools it lists: with keys configured, those of CLUSTERGATE_MCP_KEY's role
// and scope.
func stdioTools(tools []Tool, opts Options) (string, []Tool, error) {
	if len(opts.Keys) == 0 {
		return "", tools, nil
	}
	key, ok := opts.Keys.Match(opts.StdioKey)
	if !ok {
		return "", nil, fmt.Errorf("API keys are configured: set CLUSTERGATE_MCP_KEY to one of them for this stdio session")
	}
	return "Bearer " + opts.StdioKey, ForScope(ForRole(tools, key.Role), key.Identity(), opts.Surfaces), nil
}

// verifier hands the SDK the identity authenticate established for this
// request, so a token is verified once per request.
func verifier(_ context.Context, _ string, r *http.Request) (*sdkauth.TokenInfo, error) {
	id, ok := auth.IdentityFrom(r.Context())
	if !ok || id.Kind == auth.KindAnonymous {
		return nil, fmt.Errorf("no caller identity: %w", sdkauth.ErrInvalidToken)
	}
	return &sdkauth.TokenInfo{UserID: id.Label(), Extra: map[string]any{"role": string(id.Role)}}, nil
}

func hostCheck(allowed []string, next http.Handler) http.Handler {
	if len(allowed) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			host = h
		}
		if !slices.Contains(allowed, strings.ToLower(host)) {
			refuse(w, r, http.StatusForbidden, fmt.Sprintf("host %q is not allowed (see --mcp-allowed-hosts)", host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// maxScopedServers bounds the tool lists built for callers scoped to some
// upstreams (keys' upstreams:, tokens' group scopes): one per distinct role
// and scope, which the configuration bounds; past it a scoped caller gets
// its role's list, and the handler chain still refuses every call outside
// its scope.
const maxScopedServers = 64

// serverSet is every SDK server built, for the session cap's count.
type serverSet struct {
	mu  sync.Mutex
	all []*sdk.Server
}

func (ss *serverSet) add(srv *sdk.Server) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.all = append(ss.all, srv)
}

func (ss *serverSet) list() []*sdk.Server {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return slices.Clone(ss.all)
}

// servers returns the SDK server a request is served by, and every server
// built. Without keys there is one, with every tool. With keys or tokens
// there is one per role, each listing the tools that role may use (the
// handler chain still checks every call), and one per role and upstream
// scope for scoped callers. All are built on first use: registering tools
// re-encodes every schema (time and memory at start for roles nobody may
// use), and a token's scope is known only when it comes.
func servers(tools []Tool, caller *Caller, opts Options, authz func(*sdk.CallToolRequest) string) (func(*http.Request) *sdk.Server, *serverSet) {
	set := &serverSet{}
	if len(opts.Keys) == 0 && opts.Tokens == nil {
		open := sync.OnceValue(func() *sdk.Server {
			srv := newServer(tools, caller, opts, authz)
			set.add(srv)
			return srv
		})
		return func(*http.Request) *sdk.Server { return open() }, set
	}
	byRole := map[vocab.Role]func() *sdk.Server{}
	for _, role := range vocab.Roles {
		byRole[role] = sync.OnceValue(func() *sdk.Server {
			srv := newServer(ForRole(tools, role), caller, opts, authz)
			set.add(srv)
			return srv
		})
	}
	var mu sync.Mutex
	byScope := map[string]*sdk.Server{}
	scoped := func(id auth.Identity) *sdk.Server {
		mu.Lock()
		defer mu.Unlock()
		key := scopeKey(id)
		if srv := byScope[key]; srv != nil || len(byScope) >= maxScopedServers {
			return srv
		}
		srv := newServer(ForScope(ForRole(tools, id.Role), id, opts.Surfaces), caller, opts, authz)
		byScope[key] = srv
		set.add(srv)
		return srv
	}
	return func(r *http.Request) *sdk.Server {
		id, ok := auth.IdentityFrom(r.Context())
		if ok && len(id.Upstreams) > 0 && byRole[id.Role] != nil {
			if srv := scoped(id); srv != nil {
				return srv
			}
		}
		if ok && byRole[id.Role] != nil {
			return byRole[id.Role]()
		}
		return byRole[vocab.Viewer]() // authenticate runs first; fail to the least privilege
	}, set
}

// sessionless is the first MCP revision without the initialize handshake or
// sessions (server/discover, per-request _meta). The SDK serves it only
// where no session is needed: stdio and stateless streamable HTTP.
const sessionless = "2026-07-28"

// Versions lists the protocol revisions a transport speaks, newest first:
// every revision the SDK knows, except that stateful streamable HTTP stops
// before the sessionless one. There the SDK answers a server/discover probe
// but refuses the requests that follow with -32022, so a client that probes
// first (mark3labs/mcp-go) was stranded; with 2026-07-28 left out, the probe
// itself gets -32022 listing only the handshake revisions, and the client
// falls back to initialize.
func Versions(stateful bool) []string {
	all := sdk.SupportedProtocolVersions()
	if !stateful {
		return all
	}
	return slices.DeleteFunc(all, func(v string) bool { return v >= sessionless })
}
