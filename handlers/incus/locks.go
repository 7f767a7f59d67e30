package incus

import (
	"context"
	"net/http"
	"slices"
	"sync"

	"github.com/clustergate/clustergate/internal/apierr"
)

// keyLocks serializes the facade's read-merge-writes per resource inside the
// process. Incus and LXD check an ETag and write in two steps, so two
// writers that read the same version can both pass the check: without this
// lock one acknowledged write would silently replace the other.
type keyLocks struct {
	mu   sync.Mutex
	held map[string]*keyLock
}

// keyLock is one resource's lock: a one-slot channel (so waiting can end
// with the caller's context) and how many callers hold or await it.
type keyLock struct {
	slot chan struct{}
	refs int
}

// lock waits for key's lock until ctx ends and returns its release.
func (l *keyLocks) lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*keyLock{}
	}
	k := l.held[key]
	if k == nil {
		k = &keyLock{slot: make(chan struct{}, 1)}
		l.held[key] = k
	}
	k.refs++
	l.mu.Unlock()
	select {
	case k.slot <- struct{}{}:
		return func() { <-k.slot; l.release(key, k) }, nil
	case <-ctx.Done():
		l.release(key, k)
		return nil, apierr.New(http.StatusGatewayTimeout,
			"waited for other writes to %s until the request deadline; nothing was written", key)
	}
}

// release forgets key's lock once nobody holds or awaits it, so the map
// holds only resources being written.
func (l *keyLocks) release(key string, k *keyLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k.refs--; k.refs == 0 {
		delete(l.held, key)
	}
}

// lockAll takes several keys' locks in a fixed order (no deadlock between
// two renames) and returns one release for all.
func (l *keyLocks) lockAll(ctx context.Context, keys ...string) (func(), error) {
	slices.Sort(keys)
	var releases []func()
	undo := func() {
		for i := len(releases) - 1; i >= 0; i-- {
			releases[i]()
		}
	}
	for i, k := range keys {
		if i > 0 && k == keys[i-1] {
			continue
		}
		r, err := l.lock(ctx, k)
		if err != nil {
			undo()
			return nil, err
		}
		releases = append(releases, r)
	}
	return undo, nil
}
