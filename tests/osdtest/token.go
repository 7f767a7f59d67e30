package osdtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// Claims are the JWT claims openstorage's auth package reads. Issuer,
// Subject, Name and Email are required by the server (empty Name and Email
// are filled from Subject by MintToken). Roles decide which SDK calls are
// allowed (system.admin: all; system.user and system.view: no cluster pair
// calls); Groups containing "*" make the user an admin, which GetToken also
// requires.
type Claims struct {
	// Issuer is the iss claim; it must match the server's --jwt-issuer.
	Issuer string
	// Subject is the sub claim (the username).
	Subject string
	// Name is the name claim; empty means Subject.
	Name string
	// Email is the email claim; empty means Subject + "@example.com".
	Email string
	// Roles is the roles claim, e.g. "system.admin".
	Roles []string
	// Groups is the groups claim; "*" is the admin group. Nil omits the claim.
	Groups []string
}

// MintToken returns an HS256 JWT for c signed with secret and valid for ttl,
// in the shape openstorage's own token generator produces (the osdserver
// binary's `mint-token` subcommand prints the same kind of token).
func MintToken(secret string, c Claims, ttl time.Duration) (string, error) {
	if secret == "" {
		return "", errors.New("osdtest: MintToken: empty secret")
	}
	if c.Issuer == "" || c.Subject == "" {
		return "", errors.New("osdtest: MintToken: Issuer and Subject are required")
	}
	if c.Name == "" {
		c.Name = c.Subject
	}
	if c.Email == "" {
		c.Email = c.Subject + "@example.com"
	}
	now := time.Now()
	claims := map[string]any{
		"iss":   c.Issuer,
		"sub":   c.Subject,
		"name":  c.Name,
		"email": c.Email,
		"roles": c.Roles,
		"iat":   now.Add(-time.Minute).Unix(),
		"exp":   now.Add(ttl).Unix(),
	}
	if c.Groups != nil {
		claims["groups"] = c.Groups
	}
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil)), nil
}
