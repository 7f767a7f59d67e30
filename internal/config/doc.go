package config

import (
	"fmt"
	"strings"
)

// Reference renders the configuration reference as a Markdown table, from
// the same tags Load reads; README.md embeds it and a test keeps it current.
func Reference() string {
	var b strings.Builder
	b.WriteString("| flag / config key | environment | default | meaning |\n|---|---|---|---|\n")
	b.WriteString("| `--config` | `CLUSTERGATE_CONFIG` | | YAML config file; keys are the flag names |\n")
	for _, s := range Settings() {
		def := s.Default
		if def != "" {
			def = "`" + def + "`"
		}
		help := s.Help
		if s.Secret {
			help += " (secret: never logged)"
		}
		fmt.Fprintf(&b, "| `--%s` | `%s` | %s | %s |\n", s.Flag, s.Env, def, help)
	}
	return b.String()
}
