package portworx

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/apierr"
)

func TestTransportErrorOnARefusedHandshake(t *testing.T) {
	alert := &net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}
	e := apierr.From(transportError("enumerate", "https://px:9021", alert))
	assert.Equal(t, http.StatusBadGateway, e.Status)
	assert.Equal(t, "portworx at https://px:9021 refused the TLS handshake: tls: certificate required; "+
		"set PORTWORX_CLIENT_CERT and PORTWORX_CLIENT_KEY (client-cert and client-key of an upstreams.portworx entry) "+
		"to a certificate and key the gateway trusts", e.Message)
}

// tlsServer is an https server that requires client certificates when
// mtls is set, and a CA file that trusts it.
func tlsServer(t *testing.T, mtls bool) (*httptest.Server, string) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{}`))
	}))
	srv.EnableHTTP2 = true
	if mtls {
		srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.crt")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	return srv, ca
}

// TestTLSAlertFoundBehindALostConnection: over TLS 1.3 the request can lose
// the race with the gateway's alert and fail with a bare error such as
// HTTP/2's; the probe reads the alert itself, so the answer is the refusal.
func TestTLSAlertFoundBehindALostConnection(t *testing.T) {
	lost := errors.New("http2: client conn could not be established")
	for _, mtls := range []bool{true, false} {
		srv, ca := tlsServer(t, mtls)
		c, err := restyClient(Config{Endpoint: srv.URL, CAFile: ca, Timeout: 5 * time.Second}, 0)
		require.NoError(t, err)
		u, err := url.Parse(srv.URL + "/v1/clusterpairs")
		require.NoError(t, err)
		got := withTLSAlert(context.Background(), c, u, lost)
		require.ErrorIs(t, got, lost, "the original error is kept")
		if !mtls {
			assert.Equal(t, lost, got, "a gateway that accepts the handshake adds nothing")
			continue
		}
		e := apierr.From(transportError("enumerate cluster pairs", srv.URL, got))
		assert.Equal(t, http.StatusBadGateway, e.Status, e.Message)
		assert.Contains(t, e.Message, "refused the TLS handshake: tls: certificate required; set PORTWORX_CLIENT_CERT")
	}
	plain, err := url.Parse("http://127.0.0.1:9/v1/clusterpairs")
	require.NoError(t, err)
	assert.Equal(t, lost, withTLSAlert(context.Background(), resty.New(), plain, lost), "no probe for http")
}
