// Package oidc makes clustergate an OAuth 2.1 resource server: it verifies
// bearer JWT access tokens issued by the operator's identity provider and
// maps their scopes (or groups) to clustergate's roles.
//
// Dependency: github.com/coreos/go-oidc/v3. JOSE parsing and signature
// checks are security-sensitive, so they come from a well-kept library:
// go-oidc reads the issuer's discovery document, caches its JWKS and fetches
// it again when a token names a key id it has not seen (so key rotation at
// the provider works without a restart), checks the signature against an
// algorithm allow-list, and checks iss, aud, exp and nbf.
package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/vocab"
)

// DefaultAlgorithms are the signing algorithms accepted when none are
// configured: asymmetric only (a shared-secret HS256 token would let anyone
// who can verify also mint).
var DefaultAlgorithms = []string{gooidc.RS256, gooidc.RS384, gooidc.RS512, gooidc.ES256, gooidc.ES384, gooidc.ES512, gooidc.PS256, gooidc.EdDSA}

// DefaultFetchTimeout bounds one fetch of the issuer's discovery document
// or keys: well inside a request deadline.
const DefaultFetchTimeout = 5 * time.Second

// Config says which tokens are accepted and how they map to roles.
type Config struct {
	Issuer     string                // the issuer URL; its discovery document names the JWKS
	Audience   string                // a token's aud must contain it
	RolesClaim string                // optional claim holding group names (e.g. "groups")
	GroupRoles map[string]vocab.Role // group name → role, for RolesClaim
	// GroupUpstreams limits a token whose groups (RolesClaim) are listed
	// here to those groups' named upstreams; a token with no listed group
	// reaches every upstream, as a key without upstreams does.
	GroupUpstreams map[string][]string
	Algorithms     []string      // allow-list; DefaultAlgorithms when empty
	Skew           time.Duration // tolerated clock difference on exp
	FetchTimeout   time.Duration // bound of one discovery or JWKS fetch; DefaultFetchTimeout when zero
}

// Claims is what a verified token says about its caller.
type Claims struct {
	Subject string
	Groups  []string
	Role    vocab.Role // the highest role granted; "" when none is
	Expiry  time.Time
}

// ErrInvalid marks a token that is not acceptable (bad signature, wrong
// issuer or audience, expired): the caller gets 401.
var ErrInvalid = errors.New("invalid token")

// Verifier checks access tokens. The issuer's discovery document is fetched
// on first use and kept once it succeeded, so clustergate starts while its
// identity provider is down and recovers when it comes back.
type Verifier struct {
	cfg      Config
	mu       sync.Mutex
	verifier *gooidc.IDTokenVerifier
}

// New returns a Verifier for cfg; it contacts nothing yet.
func New(cfg Config) (*Verifier, error) {
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, fmt.Errorf("oidc-issuer and oidc-audience go together")
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = DefaultAlgorithms
	}
	for g, r := range cfg.GroupRoles {
		if _, err := vocab.ParseRole(string(r)); err != nil {
			return nil, fmt.Errorf("oidc-group-roles: group %q: %w", g, err)
		}
	}
	return &Verifier{cfg: cfg}, nil
}

// Issuer is the configured issuer, for the protected-resource metadata.
func (v *Verifier) Issuer() string { return v.cfg.Issuer }

func (v *Verifier) idTokenVerifier(ctx context.Context) (*gooidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	// The provider keeps its context for later JWKS fetches, so it cannot be
	// the request's; each fetch is bounded by the client's timeout instead,
	// or a provider that accepts and never answers would hold this lock,
	// and every token request, forever.
	fetch := &http.Client{Timeout: v.cfg.FetchTimeout}
	p, err := gooidc.NewProvider(gooidc.ClientContext(context.Background(), fetch), v.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery at %s: %w", v.cfg.Issuer, err)
	}
	skew := v.cfg.Skew
	v.verifier = p.Verifier(&gooidc.Config{ClientID: v.cfg.Audience, SupportedSigningAlgs: v.cfg.Algorithms,
		Now: func() time.Time { return time.Now().Add(-skew) }})
	return v.verifier, nil
}

// Verify checks token and returns its claims. An unacceptable token wraps
// ErrInvalid; an identity provider that cannot be reached does not.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	iv, err := v.idTokenVerifier(ctx)
	if err != nil {
		return Claims{}, err
	}
	tok, err := iv.Verify(ctx, token)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %s", ErrInvalid, strings.TrimPrefix(err.Error(), "oidc: "))
	}
	var raw map[string]any
	if err := tok.Claims(&raw); err != nil {
		return Claims{}, fmt.Errorf("%w: claims: %v", ErrInvalid, err)
	}
	c := Claims{Subject: tok.Subject, Expiry: tok.Expiry}
	if c.Subject == "" {
		return Claims{}, fmt.Errorf("%w: no sub claim", ErrInvalid)
	}
	for _, s := range scopes(raw) {
		if name, ok := strings.CutPrefix(s, auth.ScopePrefix); ok {
			if r, err := vocab.ParseRole(name); err == nil {
				c.Role = highest(c.Role, r)
			}
		}
	}
	if v.cfg.RolesClaim != "" {
		c.Groups = strings_(raw[v.cfg.RolesClaim])
		for _, g := range c.Groups {
			if r, ok := v.cfg.GroupRoles[g]; ok {
				c.Role = highest(c.Role, r)
			}
		}
	}
	return c, nil
}

// scopes reads the token's scopes: "scope" as a space-separated string
// (RFC 8693, RFC 9068) or "scp" as a list (ORY Hydra, Okta, Entra).
func scopes(raw map[string]any) []string {
	var out []string
	if s, ok := raw["scope"].(string); ok {
		out = append(out, strings.Fields(s)...)
	}
	return append(out, strings_(raw["scp"])...)
}

// strings_ reads a claim that is a list of strings or one string.
func strings_(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.Fields(x)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return slices.Clip(out)
	}
	return nil
}

// VerifyToken is Verify for the server's authenticator: the caller's
// identity is the token's subject, with its groups and role. A token the
// provider did not issue for clustergate is auth.ErrInvalidCredential.
func (v *Verifier) VerifyToken(ctx context.Context, token string) (auth.Identity, error) {
	c, err := v.Verify(ctx, token)
	if errors.Is(err, ErrInvalid) {
		return auth.Identity{}, fmt.Errorf("%w: %w", auth.ErrInvalidCredential, err)
	}
	if err != nil {
		return auth.Identity{}, err
	}
	return auth.Identity{Kind: auth.KindToken, Name: c.Subject, Role: c.Role, Groups: c.Groups,
		Upstreams: v.upstreams(c.Groups)}, nil
}

// upstreams is the scope the token's groups give: every upstream their
// GroupUpstreams entries list; nil (all) when none of them is listed.
func (v *Verifier) upstreams(groups []string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, v.cfg.GroupUpstreams[g]...)
	}
	return out
}

// highest returns the more trusted of two roles ("" is no role).
func highest(a, b vocab.Role) vocab.Role {
	if a == "" || (b != "" && b.Allows(a)) {
		return b
	}
	return a
}
