package config

import (
	"fmt"
	"net"
	"strings"
)

// checkAnonymous refuses to serve without authentication on an address
// other machines can reach, unless --insecure-allow-anonymous says so on
// purpose. (The identity-provider issue adds its issuer as a way to
// configure authentication.)
// It returns the offending setting and why, or "" when fine.
func (c *Config) checkAnonymous() (flag, msg string) {
	if c.authConfigured() || c.InsecureAllowAnonymous {
		return "", ""
	}
	for _, l := range []struct{ flag, addr string }{{"http-addr", c.HTTPAddr}, {"mcp-addr", c.MCPAddr}} {
		if l.addr != "" && !IsLoopback(l.addr) {
			return l.flag, fmt.Sprintf("%s is not a loopback address and no authentication is configured (--api-keys, --api-keys-file or --oidc-issuer): "+
				"anyone who reaches it could do anything; configure keys, listen on 127.0.0.1, or pass --insecure-allow-anonymous to allow it on purpose",
				l.addr)
		}
	}
	return "", ""
}

// IsLoopback says whether a listen address only accepts local connections:
// its host is a loopback IP or "localhost". An empty host listens on every
// interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// authConfigured says whether callers must identify themselves: API keys
// or an identity provider.
func (c *Config) authConfigured() bool {
	return c.APIKeys != "" || c.APIKeysFile != "" || c.OIDCIssuer != ""
}
