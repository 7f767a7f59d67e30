package apidiff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAcksNeedRuleReasonVersionAndOneSubject(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"no reason":    "acknowledged:\n  - {route: GET /v1/x, rule: r, version: 1.0.0}\n",
		"two subjects": "acknowledged:\n  - {route: GET /v1/x, tool: t, rule: r, reason: why, version: 1.0.0}\n",
		"unknown key":  "acknowledged:\n  - {route: GET /v1/x, rule: r, reason: why, version: 1.0.0, until: soon}\n",
	} {
		p := filepath.Join(dir, "acks.yaml")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		_, err := LoadAcks(p)
		assert.Error(t, err, name)
	}
	acks, err := LoadAcks(filepath.Join(dir, "missing.yaml"))
	require.NoError(t, err)
	assert.Empty(t, acks.Acknowledged)
}

func TestReleaseRefusesUnacknowledgedBreakingChangesAndRepeats(t *testing.T) {
	dir := t.TempDir()
	baseline, changelog := filepath.Join(dir, "baseline"), filepath.Join(dir, "API-CHANGELOG.md")
	gone := Change{Surface: "s.yaml", Rule: "api-removed-without-deprecation", Level: "error",
		Route: "DELETE /v1/x", Tool: "delete-x", Text: "api removed without deprecation", Breaking: true}
	added := Change{Surface: "s.yaml", Rule: "endpoint-added", Level: "info", Route: "GET /v1/y", Text: "endpoint added"}
	r := &Report{Changes: []Change{gone, added}}
	current := Specs{"s.yaml": []byte("openapi: 3.0.3\n")}

	err := Release("2.0.0", baseline, changelog, current, Gate(r, &Acks{}))
	assert.ErrorContains(t, err, "1 breaking changes are not acknowledged")
	assert.NoFileExists(t, changelog)

	acks := &Acks{Acknowledged: []Ack{{Route: "delete /v1/x", Rule: gone.Rule, Reason: "x is gone upstream", Version: "2.0.0"}}}
	require.NoError(t, Release("2.0.0", baseline, changelog, current, Gate(r, acks)))
	log, err := os.ReadFile(changelog)
	require.NoError(t, err)
	assert.Contains(t, string(log), "## 2.0.0 (")
	assert.Contains(t, string(log), "### Breaking\n\n- `DELETE /v1/x`, tool `delete-x` (api-removed-without-deprecation): api removed without deprecation\n  Why: x is gone upstream\n")
	assert.Contains(t, string(log), "### Other changes\n\n- `GET /v1/y` (endpoint-added): endpoint added\n")
	v, err := os.ReadFile(filepath.Join(baseline, VersionFile))
	require.NoError(t, err)
	assert.Equal(t, "2.0.0\n", string(v))
	assert.FileExists(t, filepath.Join(baseline, "s.yaml"))

	err = Release("2.0.0", baseline, changelog, current, Gate(r, acks))
	assert.ErrorContains(t, err, "already has a section for 2.0.0")
}
