// Package auth holds clustergate's API keys and checks bearer tokens against
// them in constant time.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
)

// Role is what a key may do.
type Role string

// The roles, from least to most trusted.
const (
	Viewer   Role = "viewer"
	Operator Role = "operator"
	Admin    Role = "admin"
)

// Key is one configured API key. Name identifies it in logs; the secret is
// kept only as a hash.
type Key struct {
	Name string
	Role Role
	hash [sha256.Size]byte
}

// Keys is the set of configured API keys; empty means auth is off.
type Keys []Key

// ParseKeys reads "role=key,role=key" (CLUSTERGATE_API_KEYS). Errors never
// quote a key.
func ParseKeys(spec string) (Keys, error) {
	var keys Keys
	for i, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, secret, ok := strings.Cut(part, "=")
		if !ok || secret == "" {
			return nil, fmt.Errorf("api key %d: want role=key", i+1)
		}
		r := Role(strings.TrimSpace(role))
		if r != Viewer && r != Operator && r != Admin {
			return nil, fmt.Errorf("api key %d: unknown role %q (viewer, operator or admin)", i+1, role)
		}
		keys = append(keys, Key{Name: fmt.Sprintf("%s-%d", r, i+1), Role: r, hash: sha256.Sum256([]byte(secret))})
	}
	return keys, nil
}

// Match returns the key whose secret is token. Every key is compared, in
// constant time over equal-length hashes, so timing says nothing about which
// key (or how much of one) matched.
func (ks Keys) Match(token string) (Key, bool) {
	h := sha256.Sum256([]byte(token))
	var found Key
	ok := 0
	for _, k := range ks {
		if subtle.ConstantTimeCompare(h[:], k.hash[:]) == 1 {
			found, ok = k, 1
		}
	}
	return found, ok == 1
}

// Allows says whether role r may do what needs role need.
func (r Role) Allows(need Role) bool { return rank[r] >= rank[need] }

var rank = map[Role]int{Viewer: 1, Operator: 2, Admin: 3}

type ctxKey struct{}

// WithKey stores the caller's key in a request context, for handlers that
// show more to admins (unredacted tokens).
func WithKey(ctx context.Context, k Key) context.Context { return context.WithValue(ctx, ctxKey{}, k) }

// FromContext returns the caller's key; ok is false when auth is off.
func FromContext(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(ctxKey{}).(Key)
	return k, ok
}

// IsAdmin says whether the caller holds an admin key.
func IsAdmin(ctx context.Context) bool {
	k, ok := FromContext(ctx)
	return ok && k.Role == Admin
}
