package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingFile is a real file that records how many bytes were on disk
// (synced) at each fsync, so a test can ask whether a line had reached the
// disk when Write returned.
type countingFile struct {
	*os.File
	mu      sync.Mutex
	written int64
	ends    map[string]int64 // operation name -> where its line ends
	synced  atomic.Int64
	syncs   atomic.Int64
	slow    time.Duration
	fail    error
}

func (f *countingFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	var r Record
	_ = json.Unmarshal(p, &r)
	f.mu.Lock()
	f.written += int64(n)
	if f.ends == nil {
		f.ends = map[string]int64{}
	}
	f.ends[r.Operation] = f.written
	f.mu.Unlock()
	return n, err
}

// onDisk says whether the line of operation op had been synced.
func (f *countingFile) onDisk(op string) bool {
	f.mu.Lock()
	end, ok := f.ends[op]
	f.mu.Unlock()
	return ok && f.synced.Load() >= end
}

func (f *countingFile) Sync() error {
	f.mu.Lock()
	upTo := f.written
	f.mu.Unlock()
	time.Sleep(f.slow) // a disk's fsync latency: writers pile up behind it
	if f.fail != nil {
		return f.fail
	}
	if err := f.File.Sync(); err != nil {
		return err
	}
	f.syncs.Add(1)
	f.synced.Store(upTo)
	return nil
}

func withCountingFile(t *testing.T, slow time.Duration, fail error) (*countingFile, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	var cf *countingFile
	prev := openFile
	openFile = func(p string) (syncFile, error) {
		f, err := prev(p)
		if err != nil {
			return nil, err
		}
		cf = &countingFile{File: f.(*os.File), slow: slow, fail: fail}
		return cf, nil
	}
	t.Cleanup(func() { openFile = prev })
	return cf, path
}

func TestWriteReturnsOnceTheLineIsOnDisk(t *testing.T) {
	_, path := withCountingFile(t, 0, nil)
	l, err := Open(path)
	require.NoError(t, err)
	defer l.Close()
	cf := l.f.(*countingFile)
	for i := range 5 {
		require.NoError(t, l.Write(Record{Operation: "a", Status: 200}))
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, info.Size(), cf.synced.Load(), "record %d: every byte written was synced before Write returned", i)
	}
}

// Forty writers behind a 20 ms fsync: every one returns with its line on
// disk, and they share fsyncs rather than queueing forty of them.
func TestConcurrentWritersShareAnFsync(t *testing.T) {
	_, path := withCountingFile(t, 20*time.Millisecond, nil)
	l, err := Open(path)
	require.NoError(t, err)
	defer l.Close()
	cf := l.f.(*countingFile)
	var wg sync.WaitGroup
	var notOnDisk atomic.Int64
	for i := range 40 {
		wg.Go(func() {
			op := fmt.Sprintf("w%d", i)
			if err := l.Write(Record{Operation: op, Status: 200}); err != nil || !cf.onDisk(op) {
				notOnDisk.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, notOnDisk.Load(), "writers that returned before any fsync covered them")
	assert.Len(t, lines(t, path), 40)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, info.Size(), cf.synced.Load(), "all forty lines on disk")
	assert.Less(t, cf.syncs.Load(), int64(10), "group commit: far fewer fsyncs than writers (got %d)", cf.syncs.Load())
}

func TestFailedFsyncFailsTheWrite(t *testing.T) {
	_, path := withCountingFile(t, 0, errors.New("input/output error"))
	l, err := Open(path)
	require.NoError(t, err)
	err = l.Write(Record{Operation: "a", Status: 200})
	require.Error(t, err, "a line that may not be on disk is not acknowledged")
	assert.Contains(t, err.Error(), "sync audit log "+path)
	assert.Contains(t, err.Error(), "input/output error")
}
