package config

import (
	"fmt"
	"strings"
)

// Reference renders the configuration reference as a Markdown table, from
// the same tags Load reads; README.md embeds it and a test keeps it current.
func Reference() string {
	var b strings.Builder
	b.WriteString("| flag / config key | environment | type | default | meaning |\n|---|---|---|---|---|\n")
	b.WriteString("| `--config` | `" + ConfigEnv + "` | file | | YAML config file; keys are the flag names |\n")
	for _, s := range Settings() {
		fmt.Fprintf(&b, "| `--%s` | `%s` | %s | %s | %s |\n", s.Flag, s.Env, s.Kind, code(s.Default), meaning(s))
	}
	return b.String()
}

// HelmReference renders which Helm chart value sets each setting, as a
// Markdown table; deploy/clustergate/README.md embeds it and a test keeps it
// current (and checks each value exists in values.yaml).
func HelmReference() string {
	var b strings.Builder
	b.WriteString("| setting | environment | chart value | clustergate default |\n|---|---|---|---|\n")
	for _, s := range Settings() {
		helm := "`extraEnv` only"
		if s.Helm != "" {
			helm = "`" + s.Helm + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", s.Flag, s.Env, helm, code(s.Default))
	}
	return b.String()
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func meaning(s Setting) string {
	m := s.Help
	if len(s.Enum) > 0 {
		m += ": " + strings.Join(s.Enum, ", ")
	}
	if s.Secret {
		m += " (secret: never logged)"
	}
	return m
}
