package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func load(t *testing.T, args []string, env map[string]string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	return Load(fs, args, func(k string) string { return env[k] })
}

func TestDefaultsNeedNothing(t *testing.T) {
	cfg, err := load(t, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", cfg.HTTPAddr, "loopback by default")
	assert.Equal(t, "127.0.0.1:9090", cfg.MCPAddr, "loopback by default")
	assert.Equal(t, 30*time.Second, cfg.RequestTimeout)
	assert.Equal(t, "/var/lib/incus/unix.socket", cfg.IncusSocket)
}

func TestPrecedenceFileThenEnvThenFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(file, []byte("http-addr: 127.0.0.1:1\nincus-socket: /from/file\nrequest-timeout: 5s\n"), 0o600))
	cfg, err := load(t, []string{"--config", file, "--http-addr", "127.0.0.1:3"},
		map[string]string{"CLUSTERGATE_HTTP_ADDR": "127.0.0.1:2", "INCUS_SOCKET": "/from/env"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:3", cfg.HTTPAddr, "flag beats env and file")
	assert.Equal(t, "/from/env", cfg.IncusSocket, "env beats file")
	assert.Equal(t, 5*time.Second, cfg.RequestTimeout, "file beats default")
}

func TestBadValuesAreNamed(t *testing.T) {
	_, err := load(t, nil, map[string]string{"CLUSTERGATE_REQUEST_TIMEOUT": "soon"})
	assert.ErrorContains(t, err, "CLUSTERGATE_REQUEST_TIMEOUT")
	_, err = load(t, []string{"--log-format", "xml"}, nil)
	assert.ErrorContains(t, err, "log-format")
	file := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(file, []byte("no-such-key: 1\n"), 0o600))
	_, err = load(t, []string{"--config", file}, nil)
	assert.ErrorContains(t, err, `unknown key "no-such-key"`)
}

func TestIsSetTellsGivenFromDefault(t *testing.T) {
	cfg, err := load(t, []string{"--incus-url", "https://x:8443"}, map[string]string{"PORTWORX_ENDPOINT": "http://px:9021"})
	require.NoError(t, err)
	assert.True(t, cfg.IsSet("incus-url"))
	assert.True(t, cfg.IsSet("portworx-endpoint"))
	assert.False(t, cfg.IsSet("incus-socket"), "a default is not a choice")
	assert.Equal(t, "/var/lib/incus/unix.socket", cfg.IncusSocket)
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "1MiB": 1 << 20, "512KiB": 512 << 10, "2GiB": 2 << 30,
		"1KB": 1000, "3MB": 3e6, "10B": 10, " 4 KiB ": 4096, "0": 0} {
		got, err := ParseSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "lots", "-1", "1.5MiB", "1TiB", "MiB"} {
		_, err := ParseSize(in)
		assert.Error(t, err, in)
	}
	assert.Equal(t, "1MiB", FormatSize(1<<20))
	assert.Equal(t, "1000", FormatSize(1000))
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	_, err := FromEnv(func(k string) string {
		return map[string]string{"CLUSTERGATE_REQUEST_TIMEOUT": "soon", "CLUSTERGATE_MAX_BODY_BYTES": "big",
			"CLUSTERGATE_LOG_FORMAT": "xml"}[k]
	})
	var probs Problems
	require.ErrorAs(t, err, &probs)
	assert.Len(t, probs, 3)
	assert.ErrorContains(t, err, `CLUSTERGATE_LOG_FORMAT (log-format): "xml" is not one of json, text`)
}
