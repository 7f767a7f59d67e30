package lxdtest

import (
	"fmt"
	"strings"
	"testing"
)

// recordingTB captures Skip/Fatal instead of stopping the test, so the
// missing-binary policy can be checked without uninstalling LXD.
type recordingTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordingTB) Helper()                      {}
func (r *recordingTB) Skip(args ...any)             { r.skipped = fmt.Sprint(args...) }
func (r *recordingTB) Skipf(f string, args ...any)  { r.skipped = fmt.Sprintf(f, args...) }
func (r *recordingTB) Fatalf(f string, args ...any) { r.fatal = fmt.Sprintf(f, args...) }

// TestRequireMissing checks that a missing daemon skips locally but fails
// in CI, and that both messages point at the kind's install script.
func TestRequireMissing(t *testing.T) {
	for _, k := range Kinds {
		t.Run(k.Name, func(t *testing.T) { testRequireMissing(t, k) })
	}
}

func testRequireMissing(t *testing.T, real *Kind) {
	k := *real
	k.paths = []string{"/nonexistent/daemon"}
	t.Setenv("PATH", "/nonexistent")

	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		rec := &recordingTB{TB: t}
		k.require(rec)
		got := rec.skipped
		if ci == "true" {
			got = rec.fatal
			if rec.skipped != "" {
				t.Errorf("CI=true: skipped (%q), want fatal", rec.skipped)
			}
		}
		if !strings.Contains(got, real.install) || !strings.HasSuffix(real.install, "install-"+real.Name+".sh") {
			t.Errorf("CI=%q: message %q does not mention the install script", ci, got)
		}
	}
}

// TestUnescapeMount covers the octal escapes mountinfo uses in paths.
func TestUnescapeMount(t *testing.T) {
	for in, want := range map[string]string{
		`/tmp/lxdt-1/shmounts`: "/tmp/lxdt-1/shmounts",
		`/tmp/a\040b`:          "/tmp/a b",
		`/tmp/back\134slash`:   `/tmp/back\slash`,
		`/tmp/trailing\04`:     `/tmp/trailing\04`,
	} {
		if got := unescapeMount(in); got != want {
			t.Errorf("unescapeMount(%q) = %q, want %q", in, got, want)
		}
	}
}
