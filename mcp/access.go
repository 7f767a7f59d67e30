package mcp

import (
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
// with keys configured a Bearer key (any case) is needed, and refusals are
// the one JSON error shape with WWW-Authenticate, so MCP clients do not
// start an OAuth flow that cannot work. Wrong keys are throttled per
// source. The caller's identity and address go into the request.
func authenticate(keys auth.Keys, proxies auth.Proxies, fails *auth.Throttle, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		source := proxies.ClientIP(r)
		r.Header.Set(PeerHeader, source)
		id := auth.Anonymous()
		if len(keys) > 0 {
			if wait := fails.Wait(source); wait > 0 {
				secs := auth.RetryAfter(wait)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				refuse(w, r, http.StatusTooManyRequests, "too many failed authentications from "+source+": retry after "+strconv.Itoa(secs)+"s")
				return
			}
			token, ok := auth.BearerToken(r.Header.Get("Authorization"))
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="clustergate"`)
				refuse(w, r, http.StatusUnauthorized, "missing API key: send Authorization: Bearer <key>")
				return
			}
			key, ok := keys.Match(token)
			if !ok {
				fails.Fail(source)
				w.Header().Set("WWW-Authenticate", `Bearer realm="clustergate", error="invalid_token"`)
				refuse(w, r, http.StatusUnauthorized, "unknown API key")
				return
			}
			id = key.Identity()
			// The SDK's own bearer check and every tool call forward this
			// header: give it the one spelling they expect.
			r.Header.Set("Authorization", "Bearer "+token)
		}
		next.ServeHTTP(w, r.WithContext(auth.WithIdentity(r.Context(), id)))
	})
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
