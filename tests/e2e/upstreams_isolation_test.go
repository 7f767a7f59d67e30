package e2e

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// hungSocket is an upstream that accepts connections and never answers: a
// daemon wedged mid-request, which no real daemon does on demand. It is the
// only fake here; the other upstream is a real Incus.
func hungSocket(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hung.socket")
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return path
}

// TestHungUpstreamDoesNotSlowTheOthers: with west hung and eight callers
// waiting on it, every west call ends in 504 within the request deadline,
// and east (a real Incus) keeps answering 200 at about its unloaded
// latency: upstreams share no connection pool, deadline or queue.
func TestHungUpstreamDoesNotSlowTheOthers(t *testing.T) {
	east := lxdtest.Incus.Start(t)
	cfg := filepath.Join(t.TempDir(), "clustergate.yaml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(
		"upstreams:\n  incus:\n    - name: east\n      socket: %s\n    - name: west\n      socket: %s\n", east.Socket, hungSocket(t))), 0o600))
	const deadline = 2 * time.Second
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey,
		"CLUSTERGATE_RATE_LIMIT": "0", "CLUSTERGATE_REQUEST_TIMEOUT": deadline.String(),
		// Breakers off: separate pools and deadlines isolate on their own
		// (TestBreakerRefusesAHungUpstreamAtOnce has the breaker on).
		"CLUSTERGATE_BREAKER_FAILURES": "0"})
	get := func(upstream string) (int, time.Duration) {
		req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, gate.URL+"/v1/1-0/cluster/members-recursion-1?upstream="+upstream, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+adminKey)
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode, time.Since(start)
	}
	eastRound := func(n int) []time.Duration {
		var took []time.Duration
		for range n {
			status, d := get("east")
			require.Equal(t, http.StatusOK, status, "east answers")
			took = append(took, d)
		}
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		return took
	}
	eastRound(5) // warm the connection
	quiet := eastRound(30)

	var wg sync.WaitGroup
	westStatus := make(chan [2]int64, 64)
	stop := time.Now().Add(3 * deadline)
	for range 8 {
		wg.Go(func() {
			for time.Now().Before(stop) {
				status, d := get("west")
				westStatus <- [2]int64{int64(status), int64(d)}
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // every west caller is waiting now
	loaded := eastRound(30)
	wg.Wait()
	close(westStatus)

	n := 0
	for w := range westStatus {
		n++
		assert.Equal(t, int64(http.StatusGatewayTimeout), w[0], "a hung upstream is a 504")
		assert.Less(t, time.Duration(w[1]), deadline+time.Second, "within the request deadline")
	}
	assert.GreaterOrEqual(t, n, 8, "every west caller got its answer")
	p50q, p50l := quiet[len(quiet)/2], loaded[len(loaded)/2]
	t.Logf("east p50 quiet %s, with west hung under load %s (%d west calls)", p50q, p50l, n)
	assert.Less(t, p50l, max(3*p50q, p50q+50*time.Millisecond), "east keeps its latency while west hangs")
}
