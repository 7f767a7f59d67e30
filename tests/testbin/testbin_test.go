package testbin

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvNamesTheBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "upstream")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	t.Setenv("TESTBIN_TEST_BIN", bin)
	s := &Script{Name: "upstream", Env: "TESTBIN_TEST_BIN", Script: "tests/scripts/no-such-script.sh"}
	assert.Equal(t, bin, s.Binary(t), "the variable wins; the script is never looked for")
}

func TestScriptPrintsTheBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "built")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	script := filepath.Join(dir, "tests", "scripts", "build.sh")
	require.NoError(t, os.MkdirAll(filepath.Dir(script), 0o755))
	require.NoError(t, os.WriteFile(script, []byte("echo building >&2\necho noise\necho "+bin+"\n"), 0o755))
	t.Chdir(dir)
	s := &Script{Name: "built", Env: "TESTBIN_UNSET_BIN", Script: "tests/scripts/build.sh"}
	assert.Equal(t, bin, s.Binary(t), "the last line of the script's stdout")
}

func TestNoBinarySkipsOutsideCI(t *testing.T) {
	t.Setenv("CI", "")
	t.Setenv("TESTBIN_TEST_BIN", filepath.Join(t.TempDir(), "not-executable"))
	s := &Script{Name: "upstream", Env: "TESTBIN_TEST_BIN", Script: "tests/scripts/no-such-script.sh"}
	var skipped bool
	t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		s.Binary(t)
	})
	assert.True(t, skipped, "outside CI a missing binary skips (under CI=true it fails the test)")
}
