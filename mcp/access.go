package mcp

import (
	"errors"
	"net"
	"net/http"
	"strconv"

	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/vocab"
)

// PeerHeader carries the caller's address from /mcp into the tool handler,
// which gives it to the in-process request (rate limit, audit). Whatever a
// client sends under this name is replaced.
const PeerHeader = "X-Clustergate-Peer"

// authenticate identifies the /mcp caller before the SDK sees the request:
// with keys or an identity provider configured a key or an access token
// (Bearer, any case) is needed, and refusals are the one JSON error shape
// with WWW-Authenticate (pointing at the protected-resource metadata when
// tokens are accepted, so an OAuth client knows where to get one). Wrong
// credentials are throttled per source. The caller's identity and address
// go into the request.
func authenticate(authn auth.Authenticator, proxies auth.Proxies, fails *auth.Throttle, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		source := proxies.ClientIP(r)
		r.Header.Set(PeerHeader, source)
		id := auth.Anonymous()
		if authn.Enabled() {
			var ok bool
			if id, ok = identify(w, r, authn, fails, source); !ok {
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(auth.WithIdentity(r.Context(), id)))
	})
}

// identify answers the refusal itself when it returns false.
func identify(w http.ResponseWriter, r *http.Request, authn auth.Authenticator, fails *auth.Throttle, source string) (auth.Identity, bool) {
	if wait := fails.Wait(source); wait > 0 {
		secs := auth.RetryAfter(wait)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		refuse(w, r, http.StatusTooManyRequests, "too many failed authentications from "+source+": retry after "+strconv.Itoa(secs)+"s")
		return auth.Identity{}, false
	}
	challenge := auth.Challenge(authn, auth.MetadataURL(r, "/mcp"))
	token, ok := auth.BearerToken(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", challenge)
		refuse(w, r, http.StatusUnauthorized, authn.Missing())
		return auth.Identity{}, false
	}
	id, err := authn.Identify(r.Context(), token)
	switch {
	case errors.Is(err, auth.ErrInvalidCredential):
		fails.Fail(source)
		w.Header().Set("WWW-Authenticate", challenge+`, error="invalid_token"`)
		refuse(w, r, http.StatusUnauthorized, auth.Refusal(err))
		return auth.Identity{}, false
	case err != nil:
		refuse(w, r, http.StatusServiceUnavailable, "cannot verify the access token: the identity provider does not answer")
		return auth.Identity{}, false
	case id.Role == "":
		w.Header().Set("WWW-Authenticate", auth.InsufficientScope(vocab.Viewer))
		refuse(w, r, http.StatusForbidden, "the access token grants no clustergate role: ask for the scope "+auth.ScopeFor(vocab.Viewer)+" or higher")
		return auth.Identity{}, false
	}
	// The SDK's own bearer check and every tool call forward this header:
	// give it the one spelling they expect.
	r.Header.Set("Authorization", "Bearer "+token)
	return id, true
}

// refuse answers in the facade's one error shape.
func refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	_ = vocab.ErrorBody{Status: status, Message: msg}.Write(w, r)
}

// peerAddr is the RemoteAddr an in-process request gets for a caller
// address.
func peerAddr(ip string) string {
	if ip == "" {
		return ""
	}
	return net.JoinHostPort(ip, "0")
}
