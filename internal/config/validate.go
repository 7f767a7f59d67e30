package config

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// validate checks what parsing cannot: files that must be readable, URLs,
// listen addresses, ranges and settings that go together. It runs before
// anything listens, so a bad setting never costs a half-started server.
func (c *Config) validate() Problems {
	var probs Problems
	bad := func(flag, format string, args ...any) {
		probs = append(probs, Problem{Setting: flag, Source: c.Source(flag), Msg: fmt.Sprintf(format, args...)})
	}
	v := reflect.ValueOf(c).Elem()
	for _, s := range Settings() {
		if msg := checkKind(s, v.Field(s.index)); msg != "" {
			bad(s.Flag, "%s", msg)
		}
	}
	if c.RequestTimeout <= 0 {
		bad("request-timeout", "must be positive")
	}
	if c.RateLimit < 0 {
		bad("rate-limit", "must be 0 (off) or more")
	}
	if c.RateBurst < 1 {
		bad("rate-burst", "must be 1 or more")
	}
	if c.MaxBodyBytes < 1 {
		bad("max-body-bytes", "must be 1 byte or more")
	}
	if c.PortworxRetries < 0 || c.PortworxRetries > 10 {
		bad("portworx-retries", "must be 0 to 10")
	}
	for _, pair := range [][2]string{{"tls-cert", "tls-key"}, {"incus-client-cert", "incus-client-key"},
		{"portworx-client-cert", "portworx-client-key"}} {
		if (c.field(pair[0]) == "") != (c.field(pair[1]) == "") {
			bad(pair[0], "%s and %s go together: set both or neither", pair[0], pair[1])
		}
	}
	if c.BreakerFailures < 0 {
		bad("breaker-failures", "must be 0 (off) or more")
	}
	if c.BreakerCooldown <= 0 {
		bad("breaker-cooldown", "must be positive")
	}
	if c.MCPSessionIdle <= 0 {
		bad("mcp-session-idle", "must be positive")
	}
	if c.MCPMaxSessions < 1 {
		bad("mcp-max-sessions", "must be 1 or more")
	}
	if c.MCPSessionsPerUser < 1 {
		bad("mcp-max-sessions-per-caller", "must be 1 or more")
	}
	if (c.OIDCIssuer == "") != (c.OIDCAudience == "") {
		bad("oidc-issuer", "oidc-issuer and oidc-audience go together: a token must be meant for clustergate")
	}
	if c.CAPIImpersonate && !c.authConfigured() {
		bad("capi-impersonate", "needs callers to identify themselves: configure --api-keys, --api-keys-file or --oidc-issuer")
	}
	if c.OIDCClockSkew < 0 || c.OIDCClockSkew > 5*time.Minute {
		bad("oidc-clock-skew", "must be 0 to 5m")
	}
	if c.PprofAddr != "" && !IsLoopback(c.PprofAddr) {
		bad("pprof-addr", "%q is not a loopback address: the profiles are unauthenticated and reveal the process's memory", c.PprofAddr)
	}
	probs = append(probs, c.upstreamProblems()...)
	if flag, msg := c.checkAnonymous(); msg != "" {
		bad(flag, "%s", msg)
	}
	if len(probs) == 0 && c.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			bad("tls-cert", "with tls-key: not a usable certificate and key: %v", err)
		}
	}
	return probs
}

// field is a string setting's value by flag name.
func (c *Config) field(flag string) string {
	for _, s := range Settings() {
		if s.Flag == flag {
			return fmt.Sprint(reflect.ValueOf(c).Elem().Field(s.index).Interface())
		}
	}
	return ""
}

// checkKind checks one setting's value against its kind; "" when fine or
// unset.
func checkKind(s Setting, f reflect.Value) string {
	if f.Kind() != reflect.String || f.String() == "" {
		return ""
	}
	val := f.String()
	switch s.Kind {
	case KindFile:
		return readable(val)
	case KindFileList:
		for _, p := range filepath.SplitList(val) {
			if msg := readable(p); msg != "" {
				return msg
			}
		}
	case KindURL:
		u, err := url.Parse(val)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Sprintf("%q is not an http:// or https:// address with a host", val)
		}
	case KindAddr:
		if _, port, err := net.SplitHostPort(val); err != nil || port == "" {
			return fmt.Sprintf("%q is not a listen address such as 127.0.0.1:8080 or :8080", val)
		}
	}
	return ""
}

// readable says why path cannot be read as a file; "" when it can.
func readable(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "cannot read " + unwrapPath(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return path + " is a directory, not a file"
	}
	return ""
}

// unwrapPath renders a file error as "path: reason" without Go's "open".
func unwrapPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path + ": " + strings.TrimPrefix(pe.Err.Error(), "open ")
	}
	return err.Error()
}
