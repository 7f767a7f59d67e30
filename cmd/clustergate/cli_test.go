package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// result is one in-process run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

func cli(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

// given is the "setting value from" line `config check` prints for flag.
func given(t *testing.T, r result, flag string) (value, from string) {
	t.Helper()
	require.Equal(t, 0, r.code, "config check failed: %s", r.stderr)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(flag) + `\s+(\S+)\s+(.+?)\s*$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, "config check does not list %s:\n%s", flag, r.stdout)
	return m[1], m[2]
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// keysFile is a valid --api-keys-file (the key "k"'s sha256).
const keysFile = "- name: ci\n  role: viewer\n  sha256: 8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a\n"

// TestEachSettingTypeFromFlagEnvAndFile: one setting of each type, given
// by flag, by environment and by config file, is read as its type, and the
// value shown is the one written (the expected values are written here, not
// computed by the code under test).
func TestEachSettingTypeFromFlagEnvAndFile(t *testing.T) {
	keys := writeFile(t, "keys.yaml", keysFile)
	cases := []struct {
		flag, env, value, fileValue, shown string
	}{
		{"read-only", "CLUSTERGATE_READ_ONLY", "true", "true", "true"},
		{"request-timeout", "CLUSTERGATE_REQUEST_TIMEOUT", "90s", "90s", "1m30s"},
		{"max-body-bytes", "CLUSTERGATE_MAX_BODY_BYTES", "2MiB", "2097152", "2MiB"},
		{"mcp-allowed-hosts", "CLUSTERGATE_MCP_ALLOWED_HOSTS", "a.example,b.example", "[a.example, b.example]", "a.example,b.example"},
		{"api-keys-file", "CLUSTERGATE_API_KEYS_FILE", keys, keys, keys},
		{"api-keys", "CLUSTERGATE_API_KEYS", "admin=s3cret", "admin=s3cret", "[secret]"},
	}
	for _, c := range cases {
		t.Run(c.flag, func(t *testing.T) {
			v, from := given(t, cli(t, nil, "config", "check", "--"+c.flag+"="+c.value), c.flag)
			assert.Equal(t, c.shown, v)
			assert.Equal(t, "--"+c.flag, from)

			v, from = given(t, cli(t, map[string]string{c.env: c.value}, "config", "check"), c.flag)
			assert.Equal(t, c.shown, v)
			assert.Equal(t, c.env, from)

			file := writeFile(t, "c.yaml", c.flag+": "+c.fileValue+"\n")
			v, from = given(t, cli(t, nil, "config", "check", "--config", file), c.flag)
			assert.Equal(t, c.shown, v)
			assert.Equal(t, "file "+file, from)
		})
	}
}

// TestPrecedenceDefaultsFileEnvFlags: file beats default, env beats file,
// flag beats env, for each type.
func TestPrecedenceDefaultsFileEnvFlags(t *testing.T) {
	file := writeFile(t, "c.yaml", "read-only: true\nrequest-timeout: 5s\nmax-body-bytes: 1KiB\nmcp-allowed-hosts: [file.example]\nrate-burst: 7\n")
	env := map[string]string{"CLUSTERGATE_READ_ONLY": "false", "CLUSTERGATE_REQUEST_TIMEOUT": "6s",
		"CLUSTERGATE_MAX_BODY_BYTES": "2KiB", "CLUSTERGATE_MCP_ALLOWED_HOSTS": "env.example"}
	r := cli(t, env, "config", "check", "--config", file, "--read-only", "--max-body-bytes", "3KiB",
		"--mcp-allowed-hosts", "flag1.example", "--mcp-allowed-hosts", "flag2.example")
	for flag, want := range map[string][2]string{
		"rate-burst":        {"7", "file " + file},                                  // file only
		"request-timeout":   {"6s", "CLUSTERGATE_REQUEST_TIMEOUT"},                  // env beats file
		"read-only":         {"true", "--read-only"},                                // bare bool flag beats env false
		"max-body-bytes":    {"3KiB", "--max-body-bytes"},                           // flag beats env and file
		"mcp-allowed-hosts": {"flag1.example,flag2.example", "--mcp-allowed-hosts"}, // repeated list flag adds up
	} {
		v, from := given(t, r, flag)
		assert.Equal(t, want[0], v, flag)
		assert.Equal(t, want[1], from, flag)
	}
	assert.NotContains(t, r.stdout, "http-addr", "defaults are not listed as given")

	v, _ := given(t, cli(t, map[string]string{"CLUSTERGATE_READ_ONLY": "true"}, "config", "check", "--read-only=false"), "read-only")
	assert.Equal(t, "false", v, "--read-only=false turns it off")
}

// TestConfigCheckNamesEveryBadSetting: exit 2 and one line per bad setting,
// each naming it and where it came from.
func TestConfigCheckNamesEveryBadSetting(t *testing.T) {
	file := writeFile(t, "c.yaml", "read-only: maybe\nrequest_timeout: 5s\nmax-body-bytes: lots\nno-such-key: 1\n")
	r := cli(t, map[string]string{"CLUSTERGATE_RATE_LIMIT": "fast"}, "config", "check", "--config", file)
	assert.Equal(t, 2, r.code)
	assert.Empty(t, r.stdout)
	for _, want := range []string{
		`config file ` + file + `: read-only: "maybe" is not true or false`,
		`config file ` + file + `: request_timeout: unknown key "request_timeout" (did you mean "request-timeout"?)`,
		`config file ` + file + `: max-body-bytes: "lots" is not a size`,
		`config file ` + file + `: no-such-key: unknown key "no-such-key"`,
		`CLUSTERGATE_RATE_LIMIT (rate-limit): "fast" is not a number`,
	} {
		assert.Contains(t, r.stderr, want)
	}
	assert.Equal(t, 5, strings.Count(r.stderr, "clustergate: "), r.stderr)

	r = cli(t, nil, "config", "check", "--config", "/nonexistent/c.yaml")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "config file /nonexistent/c.yaml: cannot read it: /nonexistent/c.yaml: no such file or directory")

	r = cli(t, nil, "config", "check", "--api-keys-file", "/nonexistent/keys.yaml", "--incus-url", "incus.example:8443")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "--api-keys-file: cannot read /nonexistent/keys.yaml: no such file or directory")
	assert.Contains(t, r.stderr, `--incus-url: "incus.example:8443" is not an http:// or https:// address with a host`)

	bad := writeFile(t, "keys.yaml", "- name: ci\n  role: boss\n  sha256: 00\n")
	r = cli(t, nil, "config", "check", "--api-keys-file", bad)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "api-keys-file (--api-keys-file)")
	assert.Contains(t, r.stderr, `unknown role "boss"`)
}

func TestConfigCheckGoodFile(t *testing.T) {
	file := writeFile(t, "c.yaml", "# every kind of value\nread-only: true\nrequest-timeout: 45s\nmax-body-bytes: 512KiB\n"+
		"mcp-allowed-hosts:\n  - gate.example\nlog-format: text\nsandbox: true\n")
	r := cli(t, nil, "config", "check", "--config", file)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "configuration ok")
	assert.Regexp(t, `(?m)^incus-cluster\s+sandbox\s+set INCUS_SOCKET`, r.stdout)
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		r := cli(t, nil, args...)
		assert.Equal(t, result{0, "clustergate dev\n", ""}, r, args)
	}
}

// TestHelpOnStdoutWithExamples: every command's --help goes to stdout (so
// `clustergate --help | less` works) and shows an example.
func TestHelpOnStdoutWithExamples(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}, {"mcp", "--help"}, {"routes", "--help"},
		{"tools", "--help"}, {"version", "--help"}, {"config", "--help"}, {"config", "check", "--help"}, {"help", "serve"},
		{"completion", "--help"}, {"completion", "bash", "--help"}, {"completion", "zsh", "--help"}, {"completion", "fish", "--help"},
		{"help", "--help"}} {
		r := cli(t, nil, args...)
		assert.Equal(t, 0, r.code, args)
		assert.Empty(t, r.stderr, args)
		assert.Contains(t, r.stdout, "Usage:", args)
		assert.Contains(t, r.stdout, "Examples:", args)
	}
	r := cli(t, nil, "serve", "--help")
	assert.Regexp(t, `--read-only\s+serve only read-only`, r.stdout, "a bool flag shows no value type")
	assert.Regexp(t, `--request-timeout duration`, r.stdout)
	assert.Regexp(t, `--max-body-bytes size\s+.*\(default 1MiB\)`, r.stdout)
	assert.Regexp(t, `--mcp-allowed-hosts strings`, r.stdout)
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"serve", "--bogus"}, {"serve", "--request-timeout", "soon"}, {"version", "extra"}} {
		r := cli(t, nil, args...)
		assert.Equal(t, 2, r.code, args)
		assert.Empty(t, r.stdout, args)
		assert.True(t, strings.HasPrefix(r.stderr, "clustergate: "), "%v: %q", args, r.stderr)
	}
	r := cli(t, nil, "serve", "--request-timeout", "soon")
	assert.Contains(t, r.stderr, `invalid argument "soon" for "--request-timeout" flag: "soon" is not a duration`)
}

// TestCompletionScripts: bash accepts the bash script (bash -n); zsh and
// fish scripts are produced for their shells.
func TestCompletionScripts(t *testing.T) {
	r := cli(t, nil, "completion", "bash")
	require.Equal(t, 0, r.code, r.stderr)
	script := writeFile(t, "clustergate.bash", r.stdout)
	out, err := exec.Command("bash", "-n", script).CombinedOutput()
	require.NoError(t, err, "bash -n: %s", out)
	assert.Contains(t, r.stdout, "__start_clustergate")
	for shell, head := range map[string]string{"zsh": "#compdef clustergate", "fish": "# fish completion for clustergate"} {
		r := cli(t, nil, "completion", shell)
		require.Equal(t, 0, r.code, r.stderr)
		assert.True(t, strings.HasPrefix(r.stdout, head), "%s: %.60q", shell, r.stdout)
	}
}

// TestTablesOnlyOnStdout: routes and tools print their Markdown table and
// nothing else on stdout, and nothing on stderr with the defaults.
func TestTablesOnlyOnStdout(t *testing.T) {
	for _, which := range []string{"routes", "tools"} {
		r := cli(t, nil, which)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Empty(t, r.stderr, which)
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		assert.Greater(t, len(lines), 20, which)
		for _, l := range lines {
			assert.True(t, strings.HasPrefix(l, "| ") || strings.HasPrefix(l, "|---"), "%s: %q", which, l)
		}
	}
	ro := cli(t, nil, "tools", "--read-only")
	assert.NotContains(t, ro.stdout, "delete-cluster-member", "--read-only alone hides destructive tools")
}

// TestConfigCheckNamedUpstreams: config check lists every named upstream
// (the default of each surface marked) and names a bad entry.
func TestConfigCheckNamedUpstreams(t *testing.T) {
	good := writeFile(t, "c.yaml", "upstreams:\n  incus:\n    - name: east\n      socket: /run/east.sock\n"+
		"    - name: west\n      url: https://west.example:8443\n      default: true\n")
	r := cli(t, nil, "config", "check", "--config", good)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `(?m)^incus-cluster\s+west \(default\)\s+upstream\s+upstreams.incus west`, r.stdout)
	assert.Regexp(t, `(?m)^incus-cluster\s+east\s+upstream\s+upstreams.incus east`, r.stdout)

	bad := writeFile(t, "bad.yaml", "upstreams:\n  portworx:\n    - name: dc1\n      endpoint: px-dc1:9021\n")
	r = cli(t, nil, "config", "check", "--config", bad)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, `upstreams.portworx[0] (dc1): endpoint: "px-dc1:9021" is not an http:// or https:// address with a host`)
}
