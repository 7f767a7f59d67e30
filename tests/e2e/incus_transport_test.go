package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// TestIncusOverHTTPSWithClientCertificate is the deployment transport:
// clustergate reaches Incus 6.0 and LXD 5.0 over HTTPS with a client
// certificate (INCUS_URL, INCUS_CLIENT_CERT/KEY, INCUS_SERVER_CERT). A
// trusted certificate works; a wrong server certificate is a 502 naming
// x509; an untrusted client certificate is a 502 naming the upstream and
// clustergate's credential, never a 403 that blames the caller.
func TestIncusOverHTTPSWithClientCertificate(t *testing.T) {
	for _, k := range lxdtest.Kinds {
		t.Run(k.Name, func(t *testing.T) {
			d := k.Start(t)
			dir := t.TempDir()
			files := 0
			write := func(content string) string {
				files++
				p := filepath.Join(dir, fmt.Sprintf("%d.pem", files))
				require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
				return p
			}
			trustedCert, trustedKey := cgtest.SelfSigned(t, "clustergate-trusted")
			d.Trust("clustergate", trustedCert)
			strangerCert, strangerKey := cgtest.SelfSigned(t, "clustergate-stranger")
			otherServer, _ := cgtest.SelfSigned(t, "127.0.0.1")
			env := func(cert, key, server string) map[string]string {
				return map[string]string{"INCUS_URL": "https://" + d.Addr,
					"INCUS_CLIENT_CERT": write(cert), "INCUS_CLIENT_KEY": write(key), "INCUS_SERVER_CERT": write(server)}
			}
			getMember := func(env map[string]string) *gen.ClustermembergetResponse {
				c := writeGate(t, env)
				resp, err := c.ClustermembergetWithResponse(ctx(t), d.Name, nil)
				require.NoError(t, err)
				return resp
			}
			serverCert := d.ServerCert()

			ok := getMember(env(trustedCert, trustedKey, serverCert))
			require.Equal(t, http.StatusOK, ok.StatusCode(), string(ok.Body))
			assert.Equal(t, d.Name, *ok.JSON200.ServerName)

			wrongServer := getMember(env(trustedCert, trustedKey, otherServer))
			assert.Equal(t, http.StatusBadGateway, wrongServer.StatusCode(), string(wrongServer.Body))
			assert.Contains(t, errBody(t, wrongServer.Body).Message, "x509")
			assert.Equal(t, "incus", errBody(t, wrongServer.Body).Upstream)

			untrusted := getMember(env(strangerCert, strangerKey, serverCert))
			assert.Equal(t, http.StatusBadGateway, untrusted.StatusCode(), string(untrusted.Body))
			assert.Equal(t, "incus", errBody(t, untrusted.Body).Upstream)
			assert.Contains(t, errBody(t, untrusted.Body).Message, "refused clustergate's own credential")
			assert.Contains(t, errBody(t, untrusted.Body).Message, "INCUS_CLIENT_CERT")
		})
	}
}
