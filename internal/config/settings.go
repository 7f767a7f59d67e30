package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Kinds of settings: how a value is parsed, checked and shown in --help.
const (
	KindString   = "string"
	KindBool     = "bool"
	KindInt      = "int"
	KindFloat    = "float"
	KindDuration = "duration"
	KindSize     = "size"     // bytes: 1048576, 512KiB, 1MiB, 2GB
	KindList     = "strings"  // comma-separated in env and flags, a YAML list in the file
	KindFile     = "file"     // a path that must be readable
	KindFileList = "filelist" // paths joined by ':' (KUBECONFIG)
	KindURL      = "url"      // http:// or https:// with a host
	KindAddr     = "addr"     // host:port to listen on
)

// Setting describes one configuration field, as read from Config's tags.
type Setting struct {
	Flag, Env, Default, Help string
	Secret                   bool
	Kind                     string   // one of the Kind constants
	Enum                     []string // allowed values, when restricted
	Helm                     string   // the Helm chart value that sets it; empty when the chart does not
	index                    int
}

// Settings lists every setting in declaration order.
func Settings() []Setting {
	t := reflect.TypeFor[Config]()
	out := make([]Setting, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("flag") == "" {
			continue // unexported bookkeeping, not a setting
		}
		s := Setting{Flag: f.Tag.Get("flag"), Env: f.Tag.Get("env"), Default: f.Tag.Get("default"),
			Help: f.Tag.Get("help"), Secret: f.Tag.Get("secret") == "true", Kind: f.Tag.Get("kind"),
			Helm: f.Tag.Get("helm"), index: i}
		if e := f.Tag.Get("enum"); e != "" {
			s.Enum = strings.Split(e, ",")
		}
		if s.Kind == "" {
			s.Kind = kindOf(f.Type)
		}
		out = append(out, s)
	}
	return out
}

// kindOf is the kind a Go type gets when its field names none.
func kindOf(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return KindDuration
	case t.Kind() == reflect.Bool:
		return KindBool
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		return KindInt
	case t.Kind() == reflect.Float64:
		return KindFloat
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return KindList
	}
	return KindString
}

// parse sets field f of setting s from its text form.
func (s Setting) parse(f reflect.Value, val string) error {
	if len(s.Enum) > 0 && val != "" && !contains(s.Enum, strings.ToLower(val)) {
		return fmt.Errorf("%q is not one of %s", val, strings.Join(s.Enum, ", "))
	}
	switch s.Kind {
	case KindList:
		f.Set(reflect.ValueOf(splitList(val)))
		return nil
	case KindSize:
		n, err := ParseSize(val)
		if err != nil {
			return err
		}
		f.SetInt(n)
		return nil
	}
	return setScalar(f, val)
}

// setScalar parses val by the field's Go type; "" leaves a non-string as is.
func setScalar(f reflect.Value, val string) error {
	if f.Kind() == reflect.String {
		f.SetString(val)
		return nil
	}
	if val == "" {
		return nil
	}
	switch f.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(val)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 2m", val)
		}
		f.SetInt(int64(d))
	case bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("%q is not true or false", val)
		}
		f.SetBool(b)
	case int, int64:
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", val)
		}
		f.SetInt(n)
	case float64:
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", val)
		}
		f.SetFloat(x)
	default:
		return fmt.Errorf("unsupported setting type %s", f.Type())
	}
	return nil
}

func splitList(val string) []string {
	var out []string
	for _, p := range strings.Split(val, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sizeUnits are the suffixes ParseSize accepts, longest first so "KiB" is
// not read as "B".
var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1},
}

// ParseSize reads a byte count: a whole number, optionally followed by B,
// KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).
func ParseSize(val string) (int64, error) {
	v := strings.TrimSpace(val)
	factor := int64(1)
	for _, u := range sizeUnits {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, factor = strings.TrimSpace(num), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/factor {
		return 0, fmt.Errorf("%q is not a size such as 1048576, 512KiB or 1MiB", val)
	}
	return n * factor, nil
}

// FormatSize renders bytes the way ParseSize reads them, in the largest
// binary unit that divides them.
func FormatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.factor && n%u.factor == 0 {
			return strconv.FormatInt(n/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
