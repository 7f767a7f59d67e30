package auth

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Proxies are the networks whose X-Forwarded-For is believed
// (--trusted-proxies). Any other peer's header is ignored: a caller cannot
// pick the address it is rate-limited and audited under.
type Proxies []*net.IPNet

// ParseProxies reads comma-separated CIDRs (a bare address is one host).
func ParseProxies(spec string) (Proxies, error) {
	var out Proxies
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
				part += "/32"
			} else {
				part += "/128"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("trusted-proxies: %q is not a CIDR: %w", part, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func (p Proxies) trusts(ip string) bool {
	parsed := net.ParseIP(ip)
	if parsed == nil {
		return false
	}
	for _, n := range p {
		if n.Contains(parsed) {
			return true
		}
	}
	return false
}

// ClientIP is the caller's address: the connection's peer, unless the peer
// is a trusted proxy; then X-Forwarded-For is read from the right, skipping
// trusted hops, and the first address that is not a trusted proxy is the
// client. It has the signature of echo.IPExtractor.
func (p Proxies) ClientIP(r *http.Request) string {
	peer := r.RemoteAddr
	if h, _, err := net.SplitHostPort(peer); err == nil {
		peer = h
	}
	if len(p) == 0 || !p.trusts(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if net.ParseIP(hop) == nil {
			return peer // a malformed chain: believe nothing beyond the proxy
		}
		if !p.trusts(hop) {
			return hop
		}
		peer = hop
	}
	return peer
}
