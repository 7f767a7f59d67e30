package auth

import (
	"context"
	"errors"
	"strings"
)

// ErrInvalidCredential marks a bearer credential clustergate does not
// accept: no such key, or a token that fails verification. The caller gets
// 401.
var ErrInvalidCredential = errors.New("invalid credential")

// TokenVerifier checks an identity provider's access token and says who
// it names. An error wrapping ErrInvalidCredential is the caller's; any
// other means the provider could not be asked (503).
type TokenVerifier interface {
	VerifyToken(ctx context.Context, token string) (Identity, error)
	// Issuer is the provider's issuer URL, for the protected-resource
	// metadata and error messages.
	Issuer() string
}

// Authenticator identifies callers by their bearer credential: an API key,
// or an access token when an identity provider is configured. Both REST
// and MCP use one, so a credential means the same on both.
type Authenticator struct {
	Keys   Keys
	Tokens TokenVerifier // nil without an identity provider
}

// Enabled says whether callers must authenticate at all.
func (a Authenticator) Enabled() bool { return len(a.Keys) > 0 || a.Tokens != nil }

// Identify returns the identity a bearer credential proves.
func (a Authenticator) Identify(ctx context.Context, credential string) (Identity, error) {
	if k, ok := a.Keys.Match(credential); ok {
		return k.Identity(), nil
	}
	if a.Tokens != nil && looksLikeJWT(credential) {
		return a.Tokens.VerifyToken(ctx, credential)
	}
	return Identity{}, ErrInvalidCredential
}

// Missing is what a caller without a credential is told to send.
func (a Authenticator) Missing() string {
	switch {
	case a.Tokens != nil && len(a.Keys) > 0:
		return "missing credential: send Authorization: Bearer <API key or access token from " + a.Tokens.Issuer() + ">"
	case a.Tokens != nil:
		return "missing access token: send Authorization: Bearer <access token from " + a.Tokens.Issuer() + ">"
	}
	return "missing API key: send Authorization: Bearer <key>"
}

// looksLikeJWT says whether a credential has a JWS's three parts, so it
// is verified as a token rather than counted as a wrong key.
func looksLikeJWT(s string) bool { return strings.Count(s, ".") == 2 }
