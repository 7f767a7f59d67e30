// Package speclint lints the OpenAPI documents clustergate publishes (every
// facade spec in openapi/ and the merged /openapi.json a running instance
// serves) with two independent linters, Spectral 6.16.3 (`spectral:oas`,
// .spectral.yaml) and Redocly CLI 2.77.0 (`recommended`, redocly.yaml),
// pinned in package-lock.json and installed outside the repo by
// tests/scripts/install-speclint.sh. Both must report nothing: no error, no
// warning, no hint.
package speclint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/specgen"
	"github.com/clustergate/clustergate/tests/cgtest"
)

const lintTimeout = 2 * time.Minute // one linter on one document; ~2 s warm

var (
	installOnce sync.Once
	installDir  string
	installErr  error
)

// linters returns the folder holding node_modules with both linters,
// installing them once (the script reuses a finished install). Without
// node or npm the test skips, or fails under CI=true, where a skip would
// hide a broken pipeline.
func linters(t *testing.T) string {
	t.Helper()
	installOnce.Do(func() {
		var out, errOut bytes.Buffer
		cmd := exec.Command("bash", "../scripts/install-speclint.sh")
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if installErr = cmd.Run(); installErr != nil {
			installErr = &installError{err: installErr, log: errOut.String()}
			return
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		installDir = lines[len(lines)-1]
	})
	if installErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("linters unavailable (CI=true, so failing instead of skipping): %v", installErr)
		}
		t.Skipf("linters unavailable: %v", installErr)
	}
	return installDir
}

type installError struct {
	err error
	log string
}

func (e *installError) Error() string { return e.err.Error() + "\n" + e.log }

// facadeSpecs are the facade documents specgen writes, as openapi/pins.yaml
// names them.
func facadeSpecs(t *testing.T) []string {
	t.Helper()
	pins, err := specgen.LoadPins("../../openapi/pins.yaml")
	require.NoError(t, err)
	var files []string
	for _, s := range pins.Surfaces {
		files = append(files, filepath.Join("../../openapi", s.Output))
	}
	require.NotEmpty(t, files)
	return files
}

// servedSpec writes the /openapi.json of a default instance (every surface
// from its sandbox) to a file.
func servedSpec(t *testing.T) string {
	t.Helper()
	g := cgtest.Start(t, nil)
	resp, err := http.Get(g.URL + "/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "openapi.json")
	require.NoError(t, os.WriteFile(path, raw, 0o644))
	return path
}

func documents(t *testing.T) []string {
	return append(facadeSpecs(t), servedSpec(t))
}

// lint runs one linter binary from dir's node_modules on file and returns
// its stdout, failing the test when it could not run at all.
func lint(t *testing.T, dir, tool string, args ...string) (stdout string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lintTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(dir, "node_modules", ".bin", tool), args...)
	// No telemetry or update check: CI has no network beyond the registries.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		t.Fatalf("%s %v: no result within %s", tool, args, lintTimeout)
	case !errors.As(err, &exit):
		t.Fatalf("%s %v: %v\n%s", tool, args, err, errOut.String())
	default:
		code = exit.ExitCode()
	}
	return out.String(), code
}

// TestSpectralReportsNothing lints with `spectral:oas`; -F hint makes any
// result, down to a hint, a failure exit.
func TestSpectralReportsNothing(t *testing.T) {
	dir := linters(t)
	for _, doc := range documents(t) {
		// The JSON goes to a file: on stdout Spectral appends a sentence to it.
		report := filepath.Join(t.TempDir(), "spectral.json")
		_, code := lint(t, dir, "spectral", "lint", "--ruleset", ".spectral.yaml", "--fail-severity", "hint",
			"--format", "json", "--output", report, doc)
		raw, err := os.ReadFile(report)
		require.NoError(t, err, "%s: spectral wrote no report", doc)
		out := string(raw)
		var results []struct {
			Code     string `json:"code"`
			Message  string `json:"message"`
			Path     []any  `json:"path"`
			Severity int    `json:"severity"`
		}
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &results), "%s: spectral output:\n%s", doc, out)
		for _, r := range results {
			t.Errorf("%s: spectral %s at %v: %s", filepath.Base(doc), r.Code, r.Path, r.Message)
		}
		assert.Zero(t, code, "%s: spectral exit code", doc)
	}
}

// TestRedoclyReportsNothing lints with Redocly's `recommended` rules.
func TestRedoclyReportsNothing(t *testing.T) {
	dir := linters(t)
	for _, doc := range documents(t) {
		out, code := lint(t, dir, "redocly", "lint", "--config", "redocly.yaml", "--format", "json", doc)
		var report struct {
			Totals struct {
				Errors   int `json:"errors"`
				Warnings int `json:"warnings"`
				Ignored  int `json:"ignored"`
			} `json:"totals"`
			Problems []struct {
				RuleID   string `json:"ruleId"`
				Severity string `json:"severity"`
				Message  string `json:"message"`
				Location []struct {
					Pointer string `json:"pointer"`
				} `json:"location"`
			} `json:"problems"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &report), "%s: redocly output:\n%s", doc, out)
		for _, p := range report.Problems {
			where := ""
			if len(p.Location) > 0 {
				where = p.Location[0].Pointer
			}
			t.Errorf("%s: redocly %s %s at %s: %s", filepath.Base(doc), p.Severity, p.RuleID, where, p.Message)
		}
		assert.Zero(t, report.Totals.Errors+report.Totals.Warnings+report.Totals.Ignored, "%s: redocly totals %+v", doc, report.Totals)
		assert.Zero(t, code, "%s: redocly exit code", doc)
	}
}
