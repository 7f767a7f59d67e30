package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Kind says how a caller was identified.
type Kind string

// The kinds of caller. The identity-provider issue adds a token kind whose
// Name is the token's subject and which carries the token's groups.
const (
	KindKey       Kind = "key"       // a configured API key
	KindToken     Kind = "token"     // an access token of the configured identity provider
	KindAnonymous Kind = "anonymous" // no authentication is configured
)

// Identity is who a caller is: what the audit log names, what the rate
// limit keys on and what the role check reads.
type Identity struct {
	Kind   Kind
	Name   string     // the key's name or the token's subject; empty when anonymous
	Role   vocab.Role // empty when anonymous (nothing is checked) or when a token grants no role
	Groups []string   // the token's groups, when the provider sends them
	// Upstreams are the named upstreams the caller may reach; empty means
	// every one.
	Upstreams []string
}

// Reaches says whether the identity may call the named upstream.
func (id Identity) Reaches(upstream string) bool {
	if len(id.Upstreams) == 0 {
		return true
	}
	for _, u := range id.Upstreams {
		if u == upstream {
			return true
		}
	}
	return false
}

// Anonymous is the identity of every caller when no authentication is
// configured.
func Anonymous() Identity { return Identity{Kind: KindAnonymous} }

// Label names the identity in logs, the audit log and rate-limit buckets.
func (id Identity) Label() string {
	if id.Kind == KindAnonymous || id.Name == "" {
		return string(KindAnonymous)
	}
	return string(id.Kind) + ":" + id.Name
}

// Identity is the identity a matched key gives its caller.
func (k Key) Identity() Identity {
	return Identity{Kind: KindKey, Name: k.Name, Role: k.Role, Upstreams: k.Upstreams}
}

type identityKey struct{}

// WithIdentity stores the caller's identity in a request context.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the caller's identity; ok is false before
// authentication ran.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}

// IsAdmin says whether the caller is identified with the admin role, for
// handlers that show more to admins (unredacted tokens).
func IsAdmin(ctx context.Context) bool {
	id, ok := IdentityFrom(ctx)
	return ok && id.Role == vocab.Admin
}

// BearerToken reads the token of an Authorization header. The scheme is
// case-insensitive (RFC 9110 section 11.1); ok is false for any other scheme
// or an empty token.
func BearerToken(header string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Check refuses a key setting that names one secret twice (under two roles
// or two names) or gives two keys one name: which one a caller holds would
// depend on the order keys are compared. setting names the settings the
// keys came from, for the error.
func (ks Keys) Check(setting string) error {
	byHash, byName := map[[32]byte]Key{}, map[string]bool{}
	for _, k := range ks {
		if prev, dup := byHash[k.hash]; dup {
			return fmt.Errorf("%s: one key is configured twice (as %s with role %s and as %s with role %s): give each key once",
				setting, prev.Name, prev.Role, k.Name, k.Role)
		}
		if byName[k.Name] {
			return fmt.Errorf("%s: two keys are named %q: give each key its own name", setting, k.Name)
		}
		byHash[k.hash], byName[k.Name] = k, true
	}
	return nil
}
