package apidiff

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real pin bump, Incus v6.23.0 -> v6.22.0 (both served by the module
// proxy), through `make bump` in a scratch repository: it edits the pin,
// regenerates with no hand edit, builds, and prints the upstream's own diff
// over the operations clustergate consumes and the facade's contract diff.
//
// Measured on this branch: the 14 capability operations plus the overlay's
// operation poll (15) are identical in both releases' specs (the filtered
// upstream specs differ only in the version they name), so both diffs report
// no change. The test holds what stays true as the facade grows: at least
// those 15 operations are compared, no upstream change means no contract
// change, and any change reported names an Incus route.
func TestPinBumpIncusRegeneratesBuildsAndReportsTheDiff(t *testing.T) {
	dir := fullCopy(t)
	out := mustRun(t, dir, "make", "bump", "UPSTREAM=incus-cluster", "VERSION=v6.22.0",
		"OFFLINE_TESTS=./internal/specgen/") // the offline suite runs in make test already
	assert.Contains(t, out, "bump: incus-cluster v6.23.0 -> v6.22.0")
	assert.Contains(t, out, "specgen: go.mod: github.com/lxc/incus/v6 v6.23.0 -> v6.22.0")
	assert.Contains(t, out, "bump: go build ./... ok")
	upstream := reported(t, out, `upstream incus-cluster, v6\.23\.0 -> v6\.22\.0, the operations clustergate consumes: `, "incus-cluster")
	facade := reported(t, out, `api-diff: the /v1 contract, HEAD -> working tree: `, "incus-cluster.yaml")
	if upstream == 0 {
		assert.Zero(t, facade, "the same upstream operations and capability make the same contract")
		assert.Contains(t, out, "check-api: ok")
	}

	changed := mustRun(t, dir, "git", "status", "--porcelain")
	for _, f := range []string{"openapi/pins.yaml", "go.mod", "openapi/incus-cluster.yaml"} {
		assert.Contains(t, changed, " M "+f)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "openapi/incus-cluster.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(spec), "x-upstream-pin: github.com/lxc/incus/v6@v6.22.0/doc/rest-api.yaml")

	out = mustRun(t, dir, "make", "api-diff")
	assert.Equal(t, facade, reported(t, out, `api-diff: the /v1 contract, HEAD -> working tree: `, "incus-cluster.yaml"))
}

// reported reads a diff's header (changes, and the surface's operations
// compared) and checks it covers the 14 capability operations plus the
// operation poll, and that each change it lists names an Incus route.
func reported(t *testing.T, out, head, surface string) int {
	t.Helper()
	m := regexp.MustCompile(head + `(\d+) changes, \d+ breaking\n(?:  compared .*\n)*?  compared ` +
		regexp.QuoteMeta(surface) + `: (\d+) operations`).FindStringSubmatch(out)
	require.NotNil(t, m, "no %q report for %s", head, surface)
	changes, _ := strconv.Atoi(m[1])
	ops, _ := strconv.Atoi(m[2])
	assert.GreaterOrEqual(t, ops, 15, "the 14 Incus capability operations and GET operations/{id}")
	if changes > 0 {
		body := out[strings.Index(out, m[0])+len(m[0]):]
		assert.Regexp(t, `(?m)^  (error|warning|info) +\S+  (GET|PUT|POST|PATCH|DELETE) /(1\.0|v1/1-0)/`, body)
	}
	return changes
}
