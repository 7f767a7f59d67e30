// Package auth holds clustergate's API keys and checks bearer tokens against
// them in constant time.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Key is one configured API key. Name identifies it in logs; the secret is
// kept only as a hash.
type Key struct {
	Name string
	Role vocab.Role
	// Upstreams limits the key to these named upstreams; empty reaches all.
	Upstreams []string
	hash      [sha256.Size]byte
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
		r, err := vocab.ParseRole(role)
		if err != nil {
			return nil, fmt.Errorf("api key %d: %w", i+1, err)
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
