package incus

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeIncus serves api on a unix socket as a local daemon would, answering
// GET /1.0 itself so the client connects, and returns the socket's path.
// It stands in for LXD where a test needs an answer LXD cannot be made to
// give (a slow reply, a request to inspect).
func fakeIncus(t *testing.T, api http.HandlerFunc) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cgi") // short: socket paths are limited to 108 bytes
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "unix.socket")
	ln, err := net.Listen("unix", sock)
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/1.0" {
			_, _ = w.Write([]byte(`{"type":"sync","status_code":200,"metadata":{"api_extensions":["clustering"],"environment":{}}}`))
			return
		}
		api(w, r)
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return sock
}
