package config

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Value is one setting as `clustergate config check` shows it.
type Value struct {
	Flag, Value, Source string
}

// Given lists the settings given by file, environment or flag, with their
// values as they would be written (secrets as [secret]) and their sources.
func (c *Config) Given() []Value {
	v := reflect.ValueOf(c).Elem()
	var out []Value
	for _, s := range Settings() {
		if !c.IsSet(s.Flag) {
			continue
		}
		out = append(out, Value{Flag: s.Flag, Value: display(s, v.Field(s.index)), Source: c.Source(s.Flag)})
	}
	return out
}

func display(s Setting, f reflect.Value) string {
	switch {
	case s.Secret:
		return "[secret]"
	case s.Kind == KindSize:
		return FormatSize(f.Int())
	case s.Kind == KindList:
		return strings.Join(f.Interface().([]string), ",")
	case f.Type() == reflect.TypeFor[time.Duration]():
		return time.Duration(f.Int()).String()
	}
	return fmt.Sprint(f.Interface())
}
