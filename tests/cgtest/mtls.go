package cgtest

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// MTLSFront serves an HTTPS reverse proxy to target on a free loopback port,
// as an mTLS-terminating ingress in front of an upstream does: it presents
// certPEM/keyPEM and completes a TLS handshake only with a client that
// presents a certificate signed by clientCAPEM (tls.RequireAndVerifyClientCert).
// It forwards requests unchanged, so the answers are the upstream's own.
// It returns the https URL and stops when the test ends.
func MTLSFront(t testing.TB, target, certPEM, keyPEM, clientCAPEM string) string {
	t.Helper()
	cert, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM([]byte(clientCAPEM)), "client CA is not PEM")
	to, err := url.Parse(target)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{
		Handler:           httputil.NewSingleHostReverseProxy(to),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // refused handshakes are what tests ask for
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
		},
	}
	serveUntilCleanup(t, "mTLS front", srv, func() error { return srv.ServeTLS(ln, "", "") })
	return "https://" + ln.Addr().String()
}
