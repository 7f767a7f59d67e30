package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	px "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/osdtest"
)

// mtlsFiles are the PEM files of an mTLS deployment: the front's
// certificate (also the CA clustergate trusts), the client certificate the
// front trusts, and one signed by another CA.
type mtlsFiles struct{ ca, cert, key, otherCert, otherKey string }

// mtlsFront puts an mTLS-terminating ingress (cgtest.MTLSFront) in front of
// a real SDK server's REST gateway and checks that it refuses a client
// without a certificate, so a passing call below did present one.
func mtlsFront(t *testing.T, s *osdtest.Server) (string, mtlsFiles) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	srvCert, srvKey := cgtest.SelfSigned(t, "127.0.0.1")
	clientCert, clientKey := cgtest.SelfSigned(t, "clustergate-client")
	otherCert, otherKey := cgtest.SelfSigned(t, "clustergate-client")
	front := cgtest.MTLSFront(t, s.URL(), srvCert, srvKey, clientCert)
	f := mtlsFiles{ca: write("ca.crt", srvCert), cert: write("client.crt", clientCert), key: write("client.key", clientKey),
		otherCert: write("other.crt", otherCert), otherKey: write("other.key", otherKey)}

	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM([]byte(srvCert)))
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := plain.Get(front + "/v1/clusterpairs")
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the front must refuse a client without a certificate")
	return front, f
}

// TestPortworxOverMTLS is the deployment where the OpenStorage SDK REST
// gateway sits behind an ingress that requires and verifies client
// certificates (the SDK server has no such setting itself: its TLSConfig is
// a certificate and key only). With PORTWORX_CLIENT_CERT/KEY the pair routes
// answer with the real upstream's data; without a certificate, or with one
// from another CA, the call is a 502 that keeps the TLS alert and names the
// settings to fix, never a 500.
func TestPortworxOverMTLS(t *testing.T) {
	a := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-a"})
	b := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-b"})
	front, f := mtlsFront(t, a)
	gate := func(env map[string]string) *px.ClientWithResponses {
		env["PORTWORX_ENDPOINT"], env["PORTWORX_CA_FILE"], env["PORTWORX_RETRIES"] = front, f.ca, "0"
		c, err := px.NewClientWithResponses(cgtest.Start(t, env).URL)
		require.NoError(t, err)
		return c
	}
	x := ctx(t)

	good := gate(map[string]string{"PORTWORX_CLIENT_CERT": f.cert, "PORTWORX_CLIENT_KEY": f.key})
	walkPairs(t, good, nil, b)

	for _, refused := range []struct{ what, alert, cert, key string }{
		{"no client certificate", "tls: certificate required", "", ""},
		{"a certificate of another CA", "tls: unknown certificate authority", f.otherCert, f.otherKey},
	} {
		c := gate(map[string]string{"PORTWORX_CLIENT_CERT": refused.cert, "PORTWORX_CLIENT_KEY": refused.key})
		resp, err := c.OpenstorageclusterpairenumerateWithResponse(x, nil)
		require.NoError(t, err)
		expectTLSRefusal(t, refused.what, resp.StatusCode(), resp.Body, front, refused.alert)
	}
}

// walkPairs lists, creates and inspects a pair with remote through c (on
// the upstream named by on, when set): the answers are the SDK server's.
func walkPairs(t *testing.T, c *px.ClientWithResponses, on *string, remote *osdtest.Server) {
	t.Helper()
	x := ctx(t)
	empty, err := c.OpenstorageclusterpairenumerateWithResponse(x, &px.OpenstorageclusterpairenumerateParams{Upstream: on})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, empty.StatusCode(), string(empty.Body))
	assert.Nil(t, empty.JSON200.Result.Pairs)

	remoteGate := portworxGate(t, remote, "")
	tok, err := remoteGate.OpenstorageclusterpairgettokenWithResponse(x, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, tok.StatusCode(), string(tok.Body))
	mode := px.DisasterRecovery
	created, err := c.OpenstorageclusterpaircreateWithResponse(x, &px.OpenstorageclusterpaircreateParams{Upstream: on},
		pairRequest(remote, *tok.JSON200.Result.Token, &mode))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, created.StatusCode(), string(created.Body))
	assert.Equal(t, remote.ClusterID, *created.JSON200.Result.RemoteClusterID)
	assert.Equal(t, "cluster-b", *created.JSON200.Result.RemoteClusterName)

	listed, err := c.OpenstorageclusterpairenumerateWithResponse(x, &px.OpenstorageclusterpairenumerateParams{Upstream: on})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, listed.StatusCode(), string(listed.Body))
	require.NotNil(t, listed.JSON200.Result.Pairs, string(listed.Body))
	assert.Equal(t, mode, (*listed.JSON200.Result.Pairs)[remote.ClusterID].Mode)

	got, err := c.OpenstorageclusterpairinspectWithResponse(x, remote.ClusterID, &px.OpenstorageclusterpairinspectParams{Upstream: on})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode(), string(got.Body))
	assert.Equal(t, mode, got.JSON200.Result.PairInfo.Mode)
	assert.Equal(t, remote.ClusterID, *got.JSON200.Result.PairInfo.ID)
}

// expectTLSRefusal: a refused handshake is the gateway's answer, a 502 that
// keeps the alert the front sent, in crypto/tls's words, and says which
// settings fix it.
func expectTLSRefusal(t *testing.T, what string, status int, body []byte, endpoint, alert string) {
	t.Helper()
	assert.Equal(t, http.StatusBadGateway, status, "%s: %s", what, body)
	e := errBody(t, body)
	assert.Equal(t, "portworx", e.Upstream, what)
	assert.Contains(t, e.Message, "portworx at "+endpoint+" refused the TLS handshake: "+alert, what)
	assert.Contains(t, e.Message, "set PORTWORX_CLIENT_CERT and PORTWORX_CLIENT_KEY", what)
	assert.Contains(t, e.Message, "client-cert and client-key of an upstreams.portworx entry", what)
}

// TestPortworxOverMTLSAsANamedUpstream: the same through upstreams.portworx
// entries of a config file: dc1 has the client certificate, dc2 (the same
// front) has none and is refused. `clustergate config check` refuses an
// entry with client-cert but no client-key, naming the entry.
func TestPortworxOverMTLSAsANamedUpstream(t *testing.T) {
	a := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-a"})
	b := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-b"})
	front, f := mtlsFront(t, a)
	cfg := filepath.Join(t.TempDir(), "clustergate.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`upstreams:
  portworx:
    - name: dc1
      endpoint: %[1]s
      ca-file: %[2]s
      client-cert: %[3]s
      client-key: %[4]s
      retries: 0
    - name: dc2
      endpoint: %[1]s
      ca-file: %[2]s
      retries: 0
`, front, f.ca, f.cert, f.key)), 0o600))
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	c, err := px.NewClientWithResponses(gate.URL, px.WithRequestEditorFn(cgtest.Bearer(adminKey)))
	require.NoError(t, err)
	on := func(name string) *string { return &name }

	walkPairs(t, c, on("dc1"), b)
	refused, err := c.OpenstorageclusterpairenumerateWithResponse(ctx(t), &px.OpenstorageclusterpairenumerateParams{Upstream: on("dc2")})
	require.NoError(t, err)
	expectTLSRefusal(t, "dc2 without a client certificate", refused.StatusCode(), refused.Body, front, "tls: certificate required")

	half := filepath.Join(t.TempDir(), "half.yaml")
	require.NoError(t, os.WriteFile(half, []byte(fmt.Sprintf(
		"upstreams:\n  portworx:\n    - name: dc3\n      endpoint: %s\n      client-cert: %s\n", front, f.cert)), 0o600))
	cmd := exec.Command(cgtest.Binary(t), "config", "check")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "CLUSTERGATE_CONFIG=" + half}
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "config check accepted client-cert without client-key:\n%s", out)
	assert.Regexp(t, `upstreams\.portworx\[0\] \(dc3\).*client-cert and client-key go together: set both or neither`, string(out),
		"one line names the entry and the problem")
}
