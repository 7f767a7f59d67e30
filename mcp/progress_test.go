package mcp

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/incuscluster"
)

// slowHandler stands in for an upstream wait that outlasts the call (LXD's
// operations finish at once on an empty cluster): it holds the request until
// release or until its context ends, and records which came first.
type slowHandler struct {
	release   chan struct{}
	cancelled atomic.Bool
}

func (h *slowHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-h.release:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"server_name":"m1","enabled":true}`))
	case <-r.Context().Done():
		h.cancelled.Store(true)
	}
}

func session(t *testing.T, h http.Handler, onProgress func(*sdk.ProgressNotificationParams)) *sdk.ClientSession {
	t.Helper()
	spec, err := incuscluster.GetSwagger()
	require.NoError(t, err)
	tools, err := deriveSpec("incus-cluster", spec)
	require.NoError(t, err)
	srv := newServer(tools, &Caller{Handler: h}, Options{Progress: 20 * time.Millisecond}, func(*sdk.CallToolRequest) string { return "" })
	st, ct := sdk.NewInMemoryTransports()
	ss, err := srv.Connect(context.Background(), st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ss.Close() })
	client := sdk.NewClient(&sdk.Implementation{Name: "t"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *sdk.ProgressNotificationClientRequest) { onProgress(r.Params) },
	})
	cs, err := client.Connect(context.Background(), ct, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func TestLongCallsReportProgressWhenAsked(t *testing.T) {
	h := &slowHandler{release: make(chan struct{})}
	var mu sync.Mutex
	var got []*sdk.ProgressNotificationParams
	cs := session(t, h, func(p *sdk.ProgressNotificationParams) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
	})
	go func() { time.Sleep(300 * time.Millisecond); close(h.release) }()
	params := &sdk.CallToolParams{Name: "get-cluster-configuration"}
	params.SetProgressToken("tok-1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, params)
	require.NoError(t, err)
	assert.False(t, res.IsError)
	// Notifications travel on their own: they may land after the result.
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) > 0 },
		5*time.Second, 10*time.Millisecond, "a call that waits reports progress")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "tok-1", got[0].ProgressToken)
	assert.Contains(t, got[0].Message, "get-cluster-configuration: waiting for the upstream")
}

func TestCancelledCallCancelsTheRequest(t *testing.T) {
	h := &slowHandler{release: make(chan struct{})}
	defer close(h.release)
	cs := session(t, h, func(*sdk.ProgressNotificationParams) {})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get-cluster-configuration"})
	require.Error(t, err)
	assert.Eventually(t, h.cancelled.Load, 5*time.Second, 10*time.Millisecond,
		"the client's cancellation reached the in-process request")
}
