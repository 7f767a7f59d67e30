package faults

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fault is how a broken upstream misbehaves on its API routes.
type fault string

const (
	hang      fault = "hangs"
	serverErr fault = "answers 5xx"
	malformed fault = "answers malformed JSON"
	truncated fault = "sends a truncated body"
)

// incusServerInfo answers GET /1.0 so the Incus client connects; faults
// apply to the cluster routes, as a daemon failing mid-flight would.
const incusServerInfo = `{"type":"sync","status":"Success","status_code":200,"metadata":{"api_extensions":["clustering","clustering_join","clustering_roles","clustering_update_cert"],"api_status":"stable","api_version":"1.0","auth":"trusted","environment":{}}}`

func misbehave(f fault, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch f {
	case hang:
		<-r.Context().Done()
	case serverErr:
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"type":"error","error":"database is locked","error_code":500,"code":13,"message":"database is locked"}`))
	case malformed:
		_, _ = w.Write([]byte(`{"type":"sync","metadata":{not json`))
	case truncated:
		w.Header().Set("Content-Length", "4096")
		_, _ = w.Write([]byte(`{"type":"sync","status_code":200,"metadata":{"ser`))
	}
}

func incusHandler(f fault) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/1.0" || r.URL.Path == "/1.0/" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(incusServerInfo))
			return
		}
		misbehave(f, w, r)
	})
}

// incusSocket serves a fake Incus on a unix socket, like a local daemon.
func incusSocket(t *testing.T, h http.Handler) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cgf")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "unix.socket")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return path
}

// deadSocket is a socket file nothing listens on: connections are refused.
func deadSocket(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cgf")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "unix.socket")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	require.NoError(t, ln.Close())
	return path
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// untrustedTLS serves h over TLS with a certificate nobody trusts.
func untrustedTLS(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func pxHandler(f fault) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { misbehave(f, w, r) })
}

func healthyPx() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"result":{}}`))
	})
}
