package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// ConfigFlag and ConfigEnv name the config file; they are not settings of
// the file itself.
const (
	ConfigFlag = "config"
	ConfigEnv  = "CLUSTERGATE_CONFIG"
)

// Flags are the settings registered as typed flags on one command's flag
// set. A flag's value is checked when it is parsed (so pflag names the flag
// in its error), and applied by Load after the file and the environment.
type Flags struct {
	fs         *pflag.FlagSet
	configFile string
	values     map[string]*flagValue
}

// Bind registers --config and every setting on fs: booleans take an
// optional value (--read-only alone is true), durations, sizes and lists
// parse as such.
func Bind(fs *pflag.FlagSet) *Flags {
	f := &Flags{fs: fs, values: map[string]*flagValue{}}
	fs.StringVar(&f.configFile, ConfigFlag, "", "YAML config file; keys are the flag names (env "+ConfigEnv+")")
	for _, s := range Settings() {
		v := &flagValue{s: s}
		f.values[s.Flag] = v
		fl := fs.VarPF(v, s.Flag, "", flagHelp(s))
		if s.Kind == KindBool {
			fl.NoOptDefVal = "true"
		}
	}
	return f
}

// flagHelp is a setting's --help line: its help, allowed values, env var.
func flagHelp(s Setting) string {
	h := s.Help
	if len(s.Enum) > 0 {
		h += ": " + strings.Join(s.Enum, ", ")
	}
	if s.Secret {
		h += " (secret)"
	}
	if s.Env != "" {
		h += " (env " + s.Env + ")"
	}
	return h
}

// flagValue is one setting's pflag.Value. It records what was given; Load
// applies it last, so flags beat the file and the environment.
type flagValue struct {
	s   Setting
	raw []string
}

func (v *flagValue) Set(x string) error {
	probe := reflect.New(reflect.TypeFor[Config]().Field(v.s.index).Type).Elem()
	if err := v.s.parse(probe, x); err != nil {
		return err
	}
	v.raw = append(v.raw, x)
	return nil
}

// String is the value --help shows as the default.
func (v *flagValue) String() string {
	if len(v.raw) > 0 {
		return strings.Join(v.raw, ",")
	}
	return v.s.Default
}

// Type is the value's type as --help shows it (bool flags show none).
func (v *flagValue) Type() string { return v.s.Kind }

// given is the flag's value when it was set on the command line.
func (v *flagValue) given() (string, bool) {
	switch {
	case len(v.raw) == 0:
		return "", false
	case v.s.Kind == KindList: // --x a --x b adds up, as pflag's own list flags do
		return strings.Join(v.raw, ","), true
	}
	return v.raw[len(v.raw)-1], true
}

// Load builds the Config: defaults, then the config file (--config, or
// CLUSTERGATE_CONFIG), then the environment, then the flags parsed on the
// bound flag set. Every bad setting is reported at once, as Problems.
func (f *Flags) Load(getenv func(string) string) (*Config, error) {
	cfg := &Config{explicit: map[string]bool{}, source: map[string]string{}}
	v := reflect.ValueOf(cfg).Elem()
	var probs Problems
	for _, s := range Settings() {
		if err := s.parse(v.Field(s.index), s.Default); err != nil {
			probs = append(probs, Problem{Setting: s.Flag, Source: "default", Msg: err.Error()})
		}
	}
	file := f.configFile
	if file == "" {
		file = getenv(ConfigEnv)
	}
	if file != "" {
		probs = append(probs, cfg.applyFile(v, file)...)
	}
	for _, s := range Settings() {
		if val := getenv(s.Env); s.Env != "" && val != "" {
			probs = append(probs, cfg.apply(v, s, val, s.Env)...)
		}
		if val, ok := f.values[s.Flag].given(); ok {
			probs = append(probs, cfg.apply(v, s, val, "--"+s.Flag)...)
		}
	}
	if len(probs) > 0 {
		return cfg, probs // type errors first: checks on half-parsed values would only repeat them
	}
	if probs = cfg.validate(); len(probs) > 0 {
		return cfg, probs
	}
	return cfg, nil
}

// apply sets one setting from one source.
func (c *Config) apply(v reflect.Value, s Setting, val, source string) Problems {
	if err := s.parse(v.Field(s.index), val); err != nil {
		return Problems{{Setting: s.Flag, Source: source, Msg: err.Error()}}
	}
	c.explicit[s.Flag], c.source[s.Flag] = true, source
	return nil
}

// FromEnv builds a Config from defaults and the environment alone (and the
// file CLUSTERGATE_CONFIG names), as tests and embedders do.
func FromEnv(getenv func(string) string) (*Config, error) {
	return Bind(pflag.NewFlagSet("clustergate", pflag.ContinueOnError)).Load(getenv)
}

// Load parses args as clustergate's flags and builds the Config with
// Flags.Load. fs only names the flag set (callers that build a Config from
// the environment pass a throwaway one and no args).
//
// Deprecated: use Bind and Flags.Load, or FromEnv.
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, error) {
	pfs := pflag.NewFlagSet(fs.Name(), pflag.ContinueOnError)
	f := Bind(pfs)
	if err := pfs.Parse(args); err != nil {
		return nil, err
	}
	return f.Load(getenv)
}

// applyFile reads the YAML config file: a mapping whose keys are the flag
// names. Sequences are accepted for list settings. Unknown keys are errors:
// a misspelt key silently ignored is a setting silently not set.
func (c *Config) applyFile(v reflect.Value, path string) Problems {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Problems{{Setting: ConfigFlag, Source: "file " + path, Msg: "cannot read it: " + unwrapPath(err)}}
	}
	var m map[string]any
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return Problems{{Setting: ConfigFlag, Source: "file " + path, Msg: "not a YAML mapping of setting: value: " + err.Error()}}
	}
	known := map[string]Setting{}
	for _, s := range Settings() {
		known[s.Flag] = s
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var probs Problems
	for _, k := range keys {
		if k == UpstreamsKey {
			probs = append(probs, c.applyUpstreams(m[k], path)...)
			continue
		}
		s, ok := known[k]
		if !ok {
			probs = append(probs, Problem{Setting: k, Source: "file " + path, Msg: fmt.Sprintf("unknown key %q%s", k, suggest(k, known))})
			continue
		}
		val, err := fileValue(s, m[k])
		if err != nil {
			probs = append(probs, Problem{Setting: k, Source: "file " + path, Msg: err.Error()})
			continue
		}
		probs = append(probs, c.apply(v, s, val, "file "+path)...)
	}
	return probs
}

// applyUpstreams reads the file's upstreams section; its entries are
// checked with the other settings, in validate.
func (c *Config) applyUpstreams(raw any, path string) Problems {
	u, err := decodeUpstreams(raw)
	if err != nil {
		return Problems{{Setting: UpstreamsKey, Source: "file " + path, Msg: err.Error()}}
	}
	c.Upstreams, c.source[UpstreamsKey] = u, "file "+path
	return nil
}

// fileValue renders a YAML value as the text the setting parses.
func fileValue(s Setting, val any) (string, error) {
	switch x := val.(type) {
	case nil:
		return "", nil
	case []any:
		if s.Kind != KindList {
			return "", errors.New("takes one value, not a list")
		}
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ","), nil
	case map[string]any:
		return "", errors.New("takes a value, not a mapping")
	}
	return fmt.Sprint(val), nil
}

// suggest names a known key close to an unknown one.
func suggest(k string, known map[string]Setting) string {
	for name := range known {
		if strings.ReplaceAll(name, "-", "") == strings.ReplaceAll(strings.ReplaceAll(k, "_", ""), "-", "") {
			return fmt.Sprintf(" (did you mean %q?)", name)
		}
	}
	return ""
}

// Problem is one bad setting: which one, where its value came from, and
// what is wrong with it.
type Problem struct {
	Setting string // the flag name (also the file key)
	Source  string // "--flag", "ENV_VAR", "file <path>" or "default"
	Msg     string
}

func (p Problem) Error() string {
	switch {
	case strings.HasPrefix(p.Source, "--"):
		return p.Source + ": " + p.Msg
	case strings.HasPrefix(p.Source, "file "):
		if p.Setting == ConfigFlag {
			return "config " + p.Source + ": " + p.Msg
		}
		return "config " + p.Source + ": " + p.Setting + ": " + p.Msg
	case p.Source == "" || p.Source == "default":
		return p.Setting + ": " + p.Msg
	}
	return p.Source + " (" + p.Setting + "): " + p.Msg // an environment variable
}

// Problems is every bad setting found, one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}
