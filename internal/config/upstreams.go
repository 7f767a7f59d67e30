package config

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// UpstreamsKey is the config file's section of named upstreams. It is a
// structured section of the file, not a setting: it has no flag and no
// environment variable (today's single-upstream flags define the upstream
// named DefaultUpstream).
const UpstreamsKey = "upstreams"

// DefaultUpstream names the upstream that the single-upstream flags and
// environment variables (--incus-url, PORTWORX_ENDPOINT, --kubeconfig...)
// define.
const DefaultUpstream = "default"

// Upstreams is the file's `upstreams:` section: named upstreams per surface.
// Each entry takes the settings of today's flags, without the surface prefix;
// secrets are read from files and never printed.
type Upstreams struct {
	Incus    []IncusUpstream    `yaml:"incus"`
	Portworx []PortworxUpstream `yaml:"portworx"`
	CAPI     []CAPIUpstream     `yaml:"capi"`
}

// Common are the keys every upstream entry takes.
type Common struct {
	Name string `yaml:"name"`
	// Default makes this entry its surface's default (the first entry is,
	// unless one says so).
	Default bool `yaml:"default"`
	// Required holds /readyz back while this upstream is not ready.
	Required *bool `yaml:"required"`
	// BreakerFailures and BreakerCooldown override --breaker-failures and
	// --breaker-cooldown for this upstream.
	BreakerFailures *int           `yaml:"breaker-failures"`
	BreakerCooldown *time.Duration `yaml:"breaker-cooldown"`
	// Flags is true for the entry the single-upstream flags define.
	Flags bool `yaml:"-"`
}

// IncusUpstream is one Incus (or LXD) cluster.
type IncusUpstream struct {
	Common     `yaml:",inline"`
	Socket     string        `yaml:"socket"`
	URL        string        `yaml:"url"`
	ClientCert string        `yaml:"client-cert"`
	ClientKey  string        `yaml:"client-key"`
	ServerCert string        `yaml:"server-cert"`
	APIKeyFile string        `yaml:"api-key-file"`
	Wait       time.Duration `yaml:"wait"`
	APIKey     string        `yaml:"-"` // read from APIKeyFile, or --incus-api-key
}

// PortworxUpstream is one OpenStorage SDK (Portworx) cluster.
type PortworxUpstream struct {
	Common     `yaml:",inline"`
	Endpoint   string        `yaml:"endpoint"`
	APIKeyFile string        `yaml:"api-key-file"`
	CAFile     string        `yaml:"ca-file"`
	ClientCert string        `yaml:"client-cert"`
	ClientKey  string        `yaml:"client-key"`
	Timeout    time.Duration `yaml:"timeout"`
	Retries    *int          `yaml:"retries"`
	APIKey     string        `yaml:"-"` // read from APIKeyFile, or --portworx-api-key
}

// CAPIUpstream is one Cluster API management cluster.
type CAPIUpstream struct {
	Common          `yaml:",inline"`
	Kubeconfig      string        `yaml:"kubeconfig"`
	Context         string        `yaml:"context"`
	WorkloadTimeout time.Duration `yaml:"workload-timeout"`
	Impersonate     *bool         `yaml:"impersonate"`
}

// upstreamName is what a name may be: it is written in query strings,
// metric labels and key scopes.
var upstreamName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// decodeUpstreams reads the section strictly: an unknown key in an entry is
// an error naming the entry.
func decodeUpstreams(raw any) (Upstreams, error) {
	var u Upstreams
	b, err := yaml.Marshal(raw)
	if err != nil {
		return u, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&u); err != nil {
		return u, fmt.Errorf("want incus, portworx and capi lists of named entries: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return u, nil
}

// upstreamProblems checks every entry of the file's section, naming it as
// upstreams.<surface>[i] (<name>), and reads the secrets from their files.
func (c *Config) upstreamProblems() Problems {
	var probs Problems
	src := c.Source(UpstreamsKey)
	bad := func(surface string, i int, name, format string, args ...any) {
		probs = append(probs, Problem{Setting: fmt.Sprintf("%s.%s[%d] (%s)", UpstreamsKey, surface, i, name),
			Source: src, Msg: fmt.Sprintf(format, args...)})
	}
	check := func(surface string, commons []Common, each func(i int, bad func(string, ...any))) {
		seen, defaults := map[string]bool{}, 0
		for i, cm := range commons {
			b := func(f string, a ...any) { bad(surface, i, cm.Name, f, a...) }
			switch {
			case cm.Name == "":
				b("name: missing; every upstream needs a name")
			case !upstreamName.MatchString(cm.Name):
				b("name: %q is not lower-case letters, digits and '-'", cm.Name)
			case seen[cm.Name]:
				b("name: %q is given twice", cm.Name)
			case cm.Name == DefaultUpstream && c.flagsConfigure(surface):
				b("name: %q is the upstream the %s flags define; give this one another name", cm.Name, surface)
			}
			if cm.BreakerFailures != nil && *cm.BreakerFailures < 0 {
				b("breaker-failures: must be 0 (off) or more")
			}
			if cm.BreakerCooldown != nil && *cm.BreakerCooldown <= 0 {
				b("breaker-cooldown: must be positive")
			}
			seen[cm.Name] = true
			if cm.Default {
				defaults++
			}
			each(i, b)
		}
		if defaults > 1 {
			probs = append(probs, Problem{Setting: UpstreamsKey + "." + surface, Source: src, Msg: "more than one entry says default: true"})
		}
	}
	u := &c.Upstreams
	check("incus", commonsOf(u.Incus), func(i int, b func(string, ...any)) { checkIncus(&u.Incus[i], b) })
	check("portworx", commonsOf(u.Portworx), func(i int, b func(string, ...any)) { checkPortworx(&u.Portworx[i], b) })
	check("capi", commonsOf(u.CAPI), func(i int, b func(string, ...any)) { checkCAPI(&u.CAPI[i], b) })
	return probs
}

// Breaker is the circuit breaker setting of an upstream entry: its own
// breaker-failures and breaker-cooldown, else the flags'.
func (c *Config) Breaker(cm Common) (failures int, cooldown time.Duration) {
	failures, cooldown = c.BreakerFailures, c.BreakerCooldown
	if cm.BreakerFailures != nil {
		failures = *cm.BreakerFailures
	}
	if cm.BreakerCooldown != nil {
		cooldown = *cm.BreakerCooldown
	}
	return failures, cooldown
}

func commonsOf[T interface{ common() Common }](xs []T) []Common {
	out := make([]Common, len(xs))
	for i, x := range xs {
		out[i] = x.common()
	}
	return out
}

func (u IncusUpstream) common() Common    { return u.Common }
func (u PortworxUpstream) common() Common { return u.Common }
func (u CAPIUpstream) common() Common     { return u.Common }

func checkIncus(u *IncusUpstream, bad func(string, ...any)) {
	if (u.Socket == "") == (u.URL == "") {
		bad("give exactly one of socket or url")
	}
	if u.URL != "" {
		if msg := checkKind(Setting{Kind: KindURL}, valueOf(u.URL)); msg != "" {
			bad("url: %s", msg)
		}
	}
	if (u.ClientCert == "") != (u.ClientKey == "") {
		bad("client-cert and client-key go together: set both or neither")
	}
	files(bad, map[string]string{"client-cert": u.ClientCert, "client-key": u.ClientKey, "server-cert": u.ServerCert})
	u.APIKey = secret(bad, "api-key-file", u.APIKeyFile)
	if u.Wait < 0 {
		bad("wait: must be positive")
	}
}

func checkPortworx(u *PortworxUpstream, bad func(string, ...any)) {
	if u.Endpoint == "" {
		bad("endpoint: missing; e.g. https://px.example:9021")
	} else if msg := checkKind(Setting{Kind: KindURL}, valueOf(u.Endpoint)); msg != "" {
		bad("endpoint: %s", msg)
	}
	if (u.ClientCert == "") != (u.ClientKey == "") {
		bad("client-cert and client-key go together: set both or neither")
	}
	files(bad, map[string]string{"ca-file": u.CAFile, "client-cert": u.ClientCert, "client-key": u.ClientKey})
	u.APIKey = secret(bad, "api-key-file", u.APIKeyFile)
	if u.Retries != nil && (*u.Retries < 0 || *u.Retries > 10) {
		bad("retries: must be 0 to 10")
	}
	if u.Timeout < 0 {
		bad("timeout: must be positive")
	}
}

func checkCAPI(u *CAPIUpstream, bad func(string, ...any)) {
	if u.Kubeconfig == "" {
		bad("kubeconfig: missing; name the management cluster's kubeconfig file")
	} else if msg := checkKind(Setting{Kind: KindFileList}, valueOf(u.Kubeconfig)); msg != "" {
		bad("kubeconfig: %s", msg)
	}
	if u.WorkloadTimeout < 0 {
		bad("workload-timeout: must be positive")
	}
}

// files checks that each named file that is set can be read.
func files(bad func(string, ...any), paths map[string]string) {
	for _, key := range []string{"ca-file", "client-cert", "client-key", "server-cert"} {
		if p := paths[key]; p != "" {
			if msg := readable(p); msg != "" {
				bad("%s: %s", key, msg)
			}
		}
	}
}

// secret reads a secret from its file; its content is never printed.
func secret(bad func(string, ...any), key, path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		bad("%s: cannot read %s", key, unwrapPath(err))
		return ""
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		bad("%s: %s is empty", key, path)
	}
	return s
}
