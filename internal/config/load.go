package config

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Setting describes one configuration field, as read from Config's tags.
type Setting struct {
	Flag, Env, Default, Help string
	Secret                   bool
	Type                     string
	index                    int
}

// Settings lists every setting in declaration order.
func Settings() []Setting {
	t := reflect.TypeOf(Config{})
	out := make([]Setting, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("flag") == "" {
			continue // unexported bookkeeping, not a setting
		}
		out = append(out, Setting{Flag: f.Tag.Get("flag"), Env: f.Tag.Get("env"), Default: f.Tag.Get("default"),
			Help: f.Tag.Get("help"), Secret: f.Tag.Get("secret") == "true", Type: f.Type.String(), index: i})
	}
	return out
}

// Load builds a Config from defaults, the optional config file named by
// --config (or CLUSTERGATE_CONFIG), the environment, and args.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, error) {
	cfg := &Config{explicit: map[string]bool{}}
	v := reflect.ValueOf(cfg).Elem()
	for _, s := range Settings() {
		if err := set(v.Field(s.index), s.Default); err != nil {
			return nil, fmt.Errorf("default of %s: %w", s.Flag, err)
		}
	}
	configFile := fs.String("config", getenv("CLUSTERGATE_CONFIG"), "YAML config file; keys are the flag names")
	flagVals := map[string]*string{}
	for _, s := range Settings() {
		help := s.Help
		if s.Env != "" {
			help += " (env " + s.Env + ")"
		}
		flagVals[s.Flag] = fs.String(s.Flag, "", help+defaultNote(s))
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *configFile != "" {
		if err := applyFile(v, *configFile, cfg.explicit); err != nil {
			return nil, err
		}
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	for _, s := range Settings() {
		if val := getenv(s.Env); s.Env != "" && val != "" {
			if err := set(v.Field(s.index), val); err != nil {
				return nil, fmt.Errorf("%s: %w", s.Env, err)
			}
			cfg.explicit[s.Flag] = true
		}
		if explicit[s.Flag] {
			if err := set(v.Field(s.index), *flagVals[s.Flag]); err != nil {
				return nil, fmt.Errorf("--%s: %w", s.Flag, err)
			}
			cfg.explicit[s.Flag] = true
		}
	}
	return cfg, cfg.validate()
}

func defaultNote(s Setting) string {
	if s.Default == "" {
		return ""
	}
	return " (default " + s.Default + ")"
}

func applyFile(v reflect.Value, path string, explicit map[string]bool) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("parse config file %s: %w", path, err)
	}
	known := map[string]Setting{}
	for _, s := range Settings() {
		known[s.Flag] = s
	}
	for k, val := range m {
		s, ok := known[k]
		if !ok {
			return fmt.Errorf("config file %s: unknown key %q", path, k)
		}
		if err := set(v.Field(s.index), fmt.Sprint(val)); err != nil {
			return fmt.Errorf("config file %s: %s: %w", path, k, err)
		}
		explicit[k] = true
	}
	return nil
}

func set(f reflect.Value, val string) error {
	switch f.Interface().(type) {
	case string:
		f.SetString(val)
	case time.Duration:
		if val == "" {
			return nil
		}
		d, err := time.ParseDuration(val)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
	case int:
		if val == "" {
			return nil
		}
		n, err := strconv.Atoi(val)
		if err != nil {
			return err
		}
		f.SetInt(int64(n))
	case float64:
		if val == "" {
			return nil
		}
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return err
		}
		f.SetFloat(x)
	case bool:
		if val == "" {
			return nil
		}
		b, err := strconv.ParseBool(val)
		if err != nil {
			return err
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("unsupported setting type %s", f.Type())
	}
	return nil
}

func (c *Config) validate() error {
	switch strings.ToLower(c.LogFormat) {
	case "json", "text":
	default:
		return fmt.Errorf("log-format must be json or text, not %q", c.LogFormat)
	}
	if c.RequestTimeout <= 0 {
		return fmt.Errorf("request-timeout must be positive")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("tls-cert and tls-key go together")
	}
	if c.RateLimit < 0 || c.RateBurst < 1 || c.MaxBodyBytes < 1 {
		return fmt.Errorf("rate-limit must be 0 or more, rate-burst and max-body-bytes 1 or more")
	}
	if c.PortworxRetries < 0 || c.PortworxRetries > 10 {
		return fmt.Errorf("portworx-retries must be 0 to 10")
	}
	if (c.PortworxClientCert == "") != (c.PortworxClientKey == "") {
		return fmt.Errorf("portworx-client-cert and portworx-client-key go together")
	}
	if (c.IncusClientCert == "") != (c.IncusClientKey == "") {
		return fmt.Errorf("incus-client-cert and incus-client-key go together")
	}
	if c.MCPSessionIdle <= 0 || c.MCPMaxSessions < 1 || c.MCPSessionsPerUser < 1 {
		return fmt.Errorf("mcp-session-idle must be positive, mcp-max-sessions and mcp-max-sessions-per-caller 1 or more")
	}
	return c.checkAnonymous()
}
