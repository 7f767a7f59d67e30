package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	px "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/osdtest"
)

// TestPortworxOverTLSWithACAFile is the deployment transport to Portworx:
// the OpenStorage SDK REST gateway over HTTPS, trusted through
// PORTWORX_CA_FILE. The right CA works; another CA is a 502 naming x509.
// (The SDK server has no client-certificate setting: client certificates
// are tested through an mTLS front in TestPortworxOverMTLS.)
func TestPortworxOverTLSWithACAFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	cert, key := cgtest.SelfSigned(t, "127.0.0.1")
	other, _ := cgtest.SelfSigned(t, "127.0.0.1")
	s := osdtest.Start(t, osdtest.Options{ClusterName: "tls", TLSCertFile: write("srv.crt", cert), TLSKeyFile: write("srv.key", key)})
	require.Contains(t, s.URL(), "https://")

	enumerate := func(ca string) *px.OpenstorageclusterpairenumerateResponse {
		gate := cgtest.Start(t, map[string]string{"PORTWORX_ENDPOINT": s.URL(), "PORTWORX_CA_FILE": ca, "PORTWORX_RETRIES": "0"})
		c, err := px.NewClientWithResponses(gate.URL)
		require.NoError(t, err)
		resp, err := c.OpenstorageclusterpairenumerateWithResponse(ctx(t), nil)
		require.NoError(t, err)
		return resp
	}

	ok := enumerate(write("ca.crt", cert))
	assert.Equal(t, http.StatusOK, ok.StatusCode(), string(ok.Body))

	wrong := enumerate(write("other.crt", other))
	assert.Equal(t, http.StatusBadGateway, wrong.StatusCode(), string(wrong.Body))
	assert.Contains(t, errBody(t, wrong.Body).Message, "x509")
	assert.Equal(t, "portworx", errBody(t, wrong.Body).Upstream)
}
