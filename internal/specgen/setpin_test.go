package specgen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pinsFixture = `# comment kept
surfaces:
  - name: a
    capability: a.yaml
    upstream:
      module: example.com/a
      version: v1.2.0 # pinned on purpose
      path: spec.yaml
    output: a-out.yaml
  - name: b
    capability: b.yaml
    spec: b-spec.yaml
    output: b-out.yaml
`

func TestSetPinRewritesOnlyTheVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pins.yaml")
	require.NoError(t, os.WriteFile(path, []byte(pinsFixture), 0o644))

	old, err := SetPin(path, "a", "v1.1.9")
	require.NoError(t, err)
	assert.Equal(t, "v1.2.0", old)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	want := `# comment kept
surfaces:
  - name: a
    capability: a.yaml
    upstream:
      module: example.com/a
      version: v1.1.9 # pinned on purpose
      path: spec.yaml
    output: a-out.yaml
  - name: b
    capability: b.yaml
    spec: b-spec.yaml
    output: b-out.yaml
`
	assert.Equal(t, want, string(got))

	_, err = SetPin(path, "b", "v1.0.0")
	assert.ErrorContains(t, err, `no surface "b" with an upstream version`)
	_, err = SetPin(path, "a", "1.0")
	assert.ErrorContains(t, err, `"1.0" is not a module version`)
}
