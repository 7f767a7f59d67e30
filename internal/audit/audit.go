// Package audit writes clustergate's audit log (--audit-log): one JSON line
// for every call that changes state or reveals a secret, from REST or MCP,
// allowed or refused, naming who made it. A line is written before the
// answer is sent, and a call whose line cannot be written fails (503): the
// log is complete or the call did not happen. A record holds names, never a
// secret: no header, no body, no query string.
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
	mu   sync.Mutex
	path string
	f    *os.File  // nil when writing to stdout
	w    io.Writer // f or stdout
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
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open audit log: %w", err)
	}
	l.f, l.w = f, f
	return nil
}

// Write appends one record as a line. The line goes to the file in one
// unbuffered write, so it has left the process when Write returns.
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
	defer l.mu.Unlock()
	if _, err := l.w.Write(line); err != nil {
		return fmt.Errorf("write audit log %s: %w", l.path, err)
	}
	return nil
}

// Reopen closes and reopens the file, for log rotation: the rotated file
// keeps every line written before, the new one every line after.
func (l *Log) Reopen() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.f
	if err := l.open(); err != nil {
		return err // keep writing to the old file rather than to nothing
	}
	return old.Close()
}

// Close closes the file.
func (l *Log) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}
