// Package audit writes clustergate's audit log (--audit-log): one JSON line
// for every call that changes state or reveals a secret, from REST or MCP,
// allowed or refused, naming who made it. A line is written before the
// answer is sent, and a call whose line cannot be written fails (503): the
// log is complete or the call did not happen. A line written to a file is
// on disk (fsync) before Write returns, so a machine that loses power right
// after an acknowledged change still has its record; concurrent writers
// share one fsync (group commit). A record holds names, never a secret: no
// header, no body, no query string.
package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Record is one audit line.
type Record struct {
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"`
	// Identity is the key's name (or, with an identity provider, the
	// token's subject); "anonymous" when no authentication is configured or
	// the caller presented none that matched.
	Identity          string            `json:"identity"`
	IdentityKind      string            `json:"identity_kind"`
	Role              string            `json:"role,omitempty"`
	Peer              string            `json:"peer"`
	Via               string            `json:"via"` // rest or mcp
	Tool              string            `json:"tool,omitempty"`
	Operation         string            `json:"operation"`
	Class             string            `json:"class"`
	Sensitive         bool              `json:"sensitive,omitempty"`
	Upstream          string            `json:"upstream,omitempty"`
	UpstreamOperation string            `json:"upstream_operation,omitempty"`
	Target            map[string]string `json:"target,omitempty"` // path parameters: names, never bodies
	Status            int               `json:"status"`
	Outcome           string            `json:"outcome"`          // see Outcome
	Reason            string            `json:"reason,omitempty"` // why the MCP layer refused, when it did
}

// Outcome classifies a status: "refused" when clustergate turned the call
// away (no or unknown identity, role, mode, rate limit, or a confirmation
// the MCP tool did not get), "ok" for a success, "error" for any other
// failure (bad input, upstream errors).
func Outcome(status int) string {
	switch {
	case status == 401 || status == 403 || status == 429:
		return "refused"
	case status < 400:
		return "ok"
	}
	return "error"
}

// Log is an open audit log; a nil *Log audits nothing.
type Log struct {
	mu      sync.Mutex
	path    string
	f       syncFile  // nil when writing to stdout
	w       io.Writer // f or stdout
	written uint64    // lines written, under mu

	syncMu sync.Mutex // one fsync at a time
	synced uint64     // lines known to be on disk, under syncMu
}

// syncFile is what the log needs of its file (an *os.File; a test counts
// the fsyncs through it).
type syncFile interface {
	io.WriteCloser
	Sync() error
}

// openFile opens the log's file; tests replace it.
var openFile = func(path string) (syncFile, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// Open opens path for appending ("-" is standard output); "" disables the
// audit log and returns nil.
func Open(path string) (*Log, error) {
	if path == "" {
		return nil, nil
	}
	l := &Log{path: path}
	if path == "-" {
		l.w = os.Stdout
		return l, nil
	}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Log) open() error {
	f, err := openFile(l.path)
	if err != nil {
		return fmt.Errorf("open audit log: %w", err)
	}
	l.f, l.w = f, f
	return nil
}

// Write appends one record as a line, in one unbuffered write, and for a
// file returns once the line is on disk.
func (l *Log) Write(r Record) error {
	if l == nil {
		return nil
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode audit record: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	if _, err := l.w.Write(line); err != nil {
		l.mu.Unlock()
		return fmt.Errorf("write audit log %s: %w", l.path, err)
	}
	l.written++
	mine, f := l.written, l.f
	l.mu.Unlock()
	if f == nil {
		return nil // standard output: nothing to sync
	}
	return l.sync(f, mine)
}

// sync returns once line number mine is on disk. Writers that arrive while
// an fsync runs wait for it and then, unless it already covered their line,
// one of them syncs for all: a burst of writers costs two fsyncs, not one
// each.
func (l *Log) sync(f syncFile, mine uint64) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	if l.synced >= mine {
		return nil
	}
	l.mu.Lock()
	upTo := l.written // every line written so far is in the file
	l.mu.Unlock()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync audit log %s: %w", l.path, err)
	}
	l.synced = upTo
	return nil
}

// Reopen closes and reopens the file, for log rotation: the rotated file
// keeps every line written before (synced to disk before it is closed), the
// new one every line after.
func (l *Log) Reopen() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.f
	if err := l.open(); err != nil {
		return err // keep writing to the old file rather than to nothing
	}
	return l.retire(old)
}

// Close syncs and closes the file.
func (l *Log) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.retire(l.f)
}

// retire syncs and closes a file no line will be written to any more; the
// writers still waiting for its sync find their lines covered. Called with
// both locks held.
func (l *Log) retire(f syncFile) error {
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync audit log %s: %w", l.path, err)
	}
	l.synced = l.written
	return f.Close()
}
