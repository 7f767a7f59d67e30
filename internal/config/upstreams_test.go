package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func names[T interface{ common() Common }](xs []T) []string {
	var out []string
	for _, x := range xs {
		out = append(out, x.common().Name)
	}
	return out
}

func TestUpstreamsFromTheFile(t *testing.T) {
	jwt := writeFile(t, "dc1.jwt", "the-token\n")
	kc := writeFile(t, "mgmt.kubeconfig", "apiVersion: v1\nkind: Config\n")
	file := writeFile(t, "c.yaml", `incus-wait: 7s
upstreams:
  incus:
    - name: east
      socket: /var/lib/incus/unix.socket
    - name: west
      url: https://west.example:8443
      default: true
      wait: 3s
  portworx:
    - name: dc1
      endpoint: https://px-dc1.example:9021
      api-key-file: `+jwt+`
  capi:
    - name: mgmt
      kubeconfig: `+kc+`
      context: admin@mgmt
`)
	cfg, err := load(t, []string{"--config", file}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"west", "east"}, names(cfg.IncusUpstreams()), "default: true comes first; no flag given, so no upstream named default")
	assert.Equal(t, 3*time.Second, cfg.IncusUpstreams()[0].Wait, "the entry's own wait")
	assert.Equal(t, 7*time.Second, cfg.IncusUpstreams()[1].Wait, "left out: incus-wait's")
	px := cfg.PortworxUpstreams()
	require.Equal(t, []string{"dc1"}, names(px))
	assert.Equal(t, "the-token", px[0].APIKey, "secret read from its file, trimmed")
	assert.Equal(t, 2, *px[0].Retries, "portworx-retries' default")
	assert.Equal(t, []string{"mgmt"}, names(cfg.CAPIUpstreams()))
}

func TestFlagsDefineTheUpstreamNamedDefault(t *testing.T) {
	file := writeFile(t, "c.yaml", "upstreams:\n  incus:\n    - name: west\n      url: https://west.example:8443\n")
	cfg, err := load(t, []string{"--config", file, "--incus-url", "https://flags.example:8443"}, nil)
	require.NoError(t, err)
	inc := cfg.IncusUpstreams()
	assert.Equal(t, []string{"default", "west"}, names(inc), "the flags' upstream first: it is the default")
	assert.Equal(t, "https://flags.example:8443", inc[0].URL)
	assert.True(t, inc[0].Flags)

	cfg, err = load(t, nil, map[string]string{"PORTWORX_ENDPOINT": "http://127.0.0.1:1"})
	require.NoError(t, err)
	assert.Equal(t, []string{"default"}, names(cfg.PortworxUpstreams()))
	assert.Equal(t, []string{"default"}, names(cfg.IncusUpstreams()), "nothing in the file: the flags' upstream, configured or not")
}

func TestBadUpstreamEntriesAreNamed(t *testing.T) {
	file := writeFile(t, "c.yaml", `upstreams:
  incus:
    - name: east
      socket: /s
    - name: east
      url: ftp://x
  portworx:
    - name: dc1
  capi:
    - name: Mgmt
      kubeconfig: /does/not/exist
`)
	_, err := load(t, []string{"--config", file}, nil)
	require.Error(t, err)
	for _, want := range []string{
		"config file " + file + ": upstreams.incus[1] (east): name: \"east\" is given twice",
		"upstreams.incus[1] (east): url: \"ftp://x\" is not an http:// or https:// address",
		"upstreams.portworx[0] (dc1): endpoint: missing",
		"upstreams.capi[0] (Mgmt): name: \"Mgmt\" is not lower-case",
		"upstreams.capi[0] (Mgmt): kubeconfig: cannot read /does/not/exist",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestUnknownUpstreamKeyIsRefused(t *testing.T) {
	file := writeFile(t, "c.yaml", "upstreams:\n  incus:\n    - name: east\n      sockett: /s\n")
	_, err := load(t, []string{"--config", file}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "upstreams: ")
	assert.Contains(t, err.Error(), "field sockett not found")
}

func TestFlagUpstreamNameCannotBeTakenTwice(t *testing.T) {
	file := writeFile(t, "c.yaml", "upstreams:\n  portworx:\n    - name: default\n      endpoint: http://a:1\n")
	_, err := load(t, []string{"--config", file, "--portworx-endpoint", "http://b:2"}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "upstreams.portworx[0] (default): name: \"default\" is the upstream the portworx flags define")
}

func TestBreakerSettingsPerEntry(t *testing.T) {
	file := writeFile(t, "c.yaml", `breaker-cooldown: 20s
upstreams:
  incus:
    - name: east
      socket: /s
    - name: west
      socket: /w
      breaker-failures: 0
      breaker-cooldown: 3s
`)
	cfg, err := load(t, []string{"--config", file}, nil)
	require.NoError(t, err)
	inc := cfg.IncusUpstreams()
	f, c := cfg.Breaker(inc[0].Common)
	assert.Equal(t, 5, f, "breaker-failures' default")
	assert.Equal(t, 20*time.Second, c, "the file's breaker-cooldown")
	f, c = cfg.Breaker(inc[1].Common)
	assert.Equal(t, 0, f, "the entry's own: off")
	assert.Equal(t, 3*time.Second, c, "the entry's own")

	bad := writeFile(t, "bad.yaml", "upstreams:\n  incus:\n    - name: west\n      socket: /w\n      breaker-failures: -1\n      breaker-cooldown: 0s\n")
	_, err = load(t, []string{"--config", bad, "--breaker-failures", "-2"}, nil)
	require.Error(t, err)
	for _, want := range []string{
		"upstreams.incus[0] (west): breaker-failures: must be 0 (off) or more",
		"upstreams.incus[0] (west): breaker-cooldown: must be positive",
		"--breaker-failures: must be 0 (off) or more",
	} {
		assert.Contains(t, err.Error(), want)
	}
}
