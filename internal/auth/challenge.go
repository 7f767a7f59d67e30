package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/clustergate/clustergate/internal/vocab"
)

// MetadataPath is where RFC 9728 protected-resource metadata is served;
// a resource at a path (the MCP endpoint /mcp) has it at MetadataPath plus
// that path.
const MetadataPath = "/.well-known/oauth-protected-resource"

// MetadataURL is the absolute URL of the metadata document of the resource
// at path ("" for the REST API) on the listener r arrived at.
func MetadataURL(r *http.Request, path string) string {
	return BaseURL(r) + MetadataPath + path
}

// BaseURL is the scheme and host r was sent to.
func BaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Challenge is the WWW-Authenticate value of a 401: with an identity
// provider it points at the metadata document (RFC 9728 section 5.1), so
// an OAuth client learns where to get a token.
func Challenge(a Authenticator, metadataURL string) string {
	if a.Tokens != nil {
		return fmt.Sprintf(`Bearer realm="clustergate", resource_metadata=%q`, metadataURL)
	}
	return `Bearer realm="clustergate"`
}

// InsufficientScope is the WWW-Authenticate value of a 403 for a role too
// low (RFC 6750 section 3.1), naming the scope that grants the role needed.
func InsufficientScope(need vocab.Role) string {
	return fmt.Sprintf(`Bearer realm="clustergate", error="insufficient_scope", scope=%q`, ScopeFor(need))
}

// ScopePrefix prefixes the OAuth scope that grants each role:
// clustergate:viewer, clustergate:operator, clustergate:admin. Token
// verification reads roles with it; metadata and 403s name scopes with it.
const ScopePrefix = "clustergate:"

// ScopeFor is the OAuth scope that grants role r.
func ScopeFor(r vocab.Role) string { return ScopePrefix + string(r) }

// Scopes lists the scopes that grant roles, least privileged first.
func Scopes() []string {
	out := make([]string, len(vocab.Roles))
	for i, r := range vocab.Roles {
		out[i] = ScopeFor(r)
	}
	return out
}

// Refusal is what a 401 says about a refused credential: why a token
// failed, never the credential itself.
func Refusal(err error) string {
	msg := err.Error()
	if errors.Is(err, ErrInvalidCredential) && msg != ErrInvalidCredential.Error() {
		return "invalid access token: " + strings.TrimPrefix(msg, ErrInvalidCredential.Error()+": ")
	}
	return "unknown API key or token"
}

// resourceMetadata is the RFC 9728 protected-resource metadata document.
type resourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name"`
}

// MetadataHandler serves the metadata of the resource at path ("" for the
// REST API, "/mcp" for the MCP endpoint): the issuer clients get tokens
// from and the scopes that grant roles. It is public, as RFC 9728 intends.
func MetadataHandler(tokens TokenVerifier, path, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc := resourceMetadata{Resource: BaseURL(r) + path, AuthorizationServers: []string{tokens.Issuer()},
			ScopesSupported: Scopes(), BearerMethodsSupported: []string{"header"}, ResourceName: name}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_ = json.NewEncoder(w).Encode(doc)
	})
}
