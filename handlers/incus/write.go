package incus

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/clustergate/clustergate/internal/apierr"
)

// writeAttempts bounds how often the facade runs a read-merge-write again
// after losing a race to a writer outside this process (another clustergate
// replica, or a direct client of the upstream).
const writeAttempts = 6

// readMergeWrite is one resource's write as the facade runs it, under the
// resource's in-process lock: read the current value and ETag, check the
// caller's If-Match against it, build the value to write from it, write it
// with the ETag read, then read it back and verify the upstream kept it.
// A write the upstream did not keep is never acknowledged.
//
// Without If-Match, a write that lost a race (the upstream's 412, or a
// read-back missing what was written when reapply is set) is run again
// from a fresh read, a bounded number of times with jitter. With If-Match
// the caller named the version the write is for, so a lost race is final.
type readMergeWrite[W, R any] struct {
	what     string // "member node1", for messages
	ifMatch  *string
	read     func(ctx context.Context) (*R, string, error)
	writable func(*R) W
	build    func(cur W) (W, error)
	write    func(ctx context.Context, v W, etag string) error
	kept     func(got W) string // the field got lacks, "" when it has all
	// reapply: the write is a merge (PATCH), so running it again on a
	// newer value keeps the other writer's change too. A replacement (PUT)
	// is not run again after being overwritten: that would undo the later
	// writer's change.
	reapply bool
}

// run performs the write and returns the resource as it now is.
func (w readMergeWrite[W, R]) run(ctx context.Context) (*R, string, error) {
	conditional := w.ifMatch != nil && *w.ifMatch != "" && *w.ifMatch != "*"
	lost := "" // the field a read-back lacked, if one did
	for attempt := 1; ; attempt++ {
		got, tag, missing, err := w.once(ctx)
		switch {
		case err == nil && missing == "":
			return got, tag, nil
		case err != nil && (conditional || apierr.From(err).Status != http.StatusPreconditionFailed):
			return nil, "", err // only the upstream's 412 on an unconditional write is a lost race
		case missing != "":
			lost = missing
			if conditional || !w.reapply {
				return nil, "", notKept(w.what, missing, attempt)
			}
		}
		if attempt == writeAttempts {
			if lost != "" {
				return nil, "", notKept(w.what, lost, attempt)
			}
			return nil, "", apierr.New(http.StatusConflict,
				"%s kept changing under %d attempts to write it; the write is not acknowledged, send it again", w.what, attempt)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, "", err
		}
	}
}

// once is one attempt: read, check If-Match, build, write with the ETag
// read, read back. missing names a field the read-back lacks.
func (w readMergeWrite[W, R]) once(ctx context.Context) (got *R, tag, missing string, err error) {
	cur, etag, err := w.read(ctx)
	if err != nil {
		return nil, "", "", err
	}
	if err := checkIfMatch(w.ifMatch, etag); err != nil {
		return nil, "", "", err
	}
	want, err := w.build(w.writable(cur))
	if err != nil {
		return nil, "", "", err
	}
	if err := w.write(ctx, want, etag); err != nil {
		return nil, "", "", err
	}
	if got, tag, err = w.read(ctx); err != nil {
		return nil, "", "", err
	}
	return got, tag, w.kept(w.writable(got)), nil
}

// notKept is the 409 for a write whose read-back lacks a field it wrote.
// Two causes look alike from here, so the message names both: another
// writer changed the resource in between, or the upstream does not keep
// that field (Incus 6.0 and LXD 5.0 drop a cluster group's config).
func notKept(what, field string, attempts int) error {
	return apierr.New(http.StatusConflict,
		"%s was written but reading it back shows %s differs from what was written (%d attempt(s)): another writer changed it, or the upstream does not keep that field; the write is not acknowledged",
		what, field, attempts)
}

// backoff sleeps a little longer on each attempt, with jitter so writers
// that collided do not collide again in step.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(attempt)*10*time.Millisecond + rand.N(20*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return apierr.New(http.StatusGatewayTimeout, "the request deadline passed while retrying a write that lost a race; it is not acknowledged")
	}
}
