package incus

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestConcurrentRequestsKeepTheirOwnContexts runs calls with long deadlines
// beside calls cancelled early, on one adapter: no long call may fail
// because another call's context ended (the shared client once carried a
// single context that every request overwrote).
func TestConcurrentRequestsKeepTheirOwnContexts(t *testing.T) {
	sock := fakeIncus(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(30 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		_, _ = w.Write([]byte(`{"type":"sync","status_code":200,"metadata":{"enabled":true,"server_name":"n1"}}`))
	})

	a := New(Config{Socket: sock})
	var failed atomic.Int32
	for range 20 { // rounds, bounded
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				timeout := 10 * time.Second
				if i%2 == 1 {
					timeout = 5 * time.Millisecond // ends while the others are in flight
				}
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				_, _, err := a.GetCluster(ctx)
				if i%2 == 0 && err != nil {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
	}
	assert.Zero(t, failed.Load(), "calls with a long deadline failed because other calls' contexts ended")
}
