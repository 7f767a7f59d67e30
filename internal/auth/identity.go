package auth

import (
	"context"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Identity is who made a request: an API key's name, or a token's subject.
type Identity struct {
	Name   string     // key name or token subject
	Kind   string     // "key", "token" or "anonymous"
	Role   vocab.Role // what it may do; "" when nothing
	Groups []string   // the token's groups, when the provider sends them
}

type identityKey struct{}

// WithIdentity stores the caller's identity in a request context.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the caller's identity; ok is false when none was set.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
