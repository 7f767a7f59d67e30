package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lines(t *testing.T, path string) []Record {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []Record
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if l == "" {
			continue
		}
		var r Record
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		out = append(out, r)
	}
	return out
}

func TestWriteAppendsOneLinePerRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, l.Write(Record{Operation: "a", Status: 201, Outcome: Outcome(201)}))
	require.NoError(t, l.Write(Record{Operation: "b", Status: 403, Outcome: Outcome(403)}))
	got := lines(t, path)
	require.Len(t, got, 2, "written before Write returns: no buffer to flush")
	assert.Equal(t, "ok", got[0].Outcome)
	assert.Equal(t, "refused", got[1].Outcome)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "only the owner reads who did what")
}

func TestOutcome(t *testing.T) {
	for status, want := range map[int]string{200: "ok", 202: "ok", 204: "ok", 400: "error", 401: "refused",
		403: "refused", 404: "error", 429: "refused", 502: "error", 503: "error"} {
		assert.Equal(t, want, Outcome(status), "%d", status)
	}
}

func TestDisabledAndFailingLogs(t *testing.T) {
	l, err := Open("")
	require.NoError(t, err)
	assert.Nil(t, l)
	assert.NoError(t, l.Write(Record{}), "a nil log audits nothing")
	full, err := Open("/dev/full")
	require.NoError(t, err)
	defer full.Close()
	assert.ErrorContains(t, full.Write(Record{Operation: "x"}), "write audit log /dev/full")
}

// TestHangupReopensForRotation moves the file away as logrotate does and
// sends the process SIGHUP: later lines go to a new file at the path.
func TestHangupReopensForRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	l, err := Open(path)
	require.NoError(t, err)
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.ReopenOnHangup(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, l.Write(Record{Operation: "before"}))
	require.NoError(t, os.Rename(path, path+".1"))
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool { _, err := os.Stat(path); return err == nil }, 5*time.Second, 10*time.Millisecond,
		"SIGHUP reopens the path")
	require.NoError(t, l.Write(Record{Operation: "after"}))
	assert.Equal(t, "before", lines(t, path+".1")[0].Operation)
	got := lines(t, path)
	require.Len(t, got, 1)
	assert.Equal(t, "after", got[0].Operation)
}

// TestConcurrentWritesAreWholeLines: many writers at once, every record a
// whole line, none lost.
func TestConcurrentWritesAreWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := Open(path)
	require.NoError(t, err)
	defer l.Close()
	const writers, each = 32, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				assert.NoError(t, l.Write(Record{Operation: fmt.Sprintf("w%d-%d", w, i), Target: map[string]string{"name": strings.Repeat("x", 500)}}))
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, r := range lines(t, path) {
		seen[r.Operation] = true
	}
	assert.Len(t, seen, writers*each)
}
