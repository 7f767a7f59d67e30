package apidiff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real pin bump, Incus v6.23.0 -> v6.22.0 (both served by the module
// proxy), through `make bump` in a scratch repository: it edits the pin,
// regenerates with no hand edit, builds, and prints the upstream's own diff
// over the operations clustergate consumes and the facade's contract diff.
//
// Measured fact this test pins down: the 14 capability operations plus the
// overlay's operation poll (15) are identical in both releases' specs (the
// filtered upstream specs differ only in the version they name), so both
// diffs report no change over 15 operations.
func TestPinBumpIncusRegeneratesBuildsAndReportsTheDiff(t *testing.T) {
	dir := fullCopy(t)
	out := mustRun(t, dir, "make", "bump", "UPSTREAM=incus-cluster", "VERSION=v6.22.0",
		"OFFLINE_TESTS=./internal/specgen/") // the offline suite runs in make test already
	assert.Contains(t, out, "bump: incus-cluster v6.23.0 -> v6.22.0")
	assert.Contains(t, out, "specgen: go.mod: github.com/lxc/incus/v6 v6.23.0 -> v6.22.0")
	assert.Contains(t, out, "bump: go build ./... ok")
	assert.Contains(t, out, "upstream incus-cluster, v6.23.0 -> v6.22.0, the operations clustergate consumes: 0 changes, 0 breaking\n  compared incus-cluster: 15 operations")
	assert.Contains(t, out, "api-diff: the /v1 contract, HEAD -> working tree: 0 changes, 0 breaking")
	assert.Contains(t, out, "check-api: ok")

	changed := mustRun(t, dir, "git", "status", "--porcelain")
	for _, f := range []string{"openapi/pins.yaml", "go.mod", "openapi/incus-cluster.yaml"} {
		assert.Contains(t, changed, " M "+f)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "openapi/incus-cluster.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(spec), "x-upstream-pin: github.com/lxc/incus/v6@v6.22.0/doc/rest-api.yaml")

	out = mustRun(t, dir, "make", "api-diff")
	assert.Contains(t, out, "0 changes, 0 breaking\n  compared capi-clusters.yaml: 10 operations\n  compared incus-cluster.yaml: 15 operations")
}
