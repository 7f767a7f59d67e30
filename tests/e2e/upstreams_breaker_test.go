package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// callAnswer is one REST call's outcome as a caller sees it.
type callAnswer struct {
	status     int
	took       time.Duration
	retryAfter string
	message    string
}

// callGate calls the gate with the admin key; body may be empty.
func callGate(t *testing.T, gate *cgtest.Gate, method, path, body string) callAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), method, gate.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	a := callAnswer{status: res.StatusCode, took: time.Since(start), retryAfter: res.Header.Get("Retry-After")}
	var e struct{ Message string }
	if json.Unmarshal(raw, &e) == nil {
		a.message = e.Message
	}
	return a
}

// membersOn lists the cluster members of one named Incus upstream.
func membersOn(t *testing.T, gate *cgtest.Gate, upstream string) callAnswer {
	t.Helper()
	return callGate(t, gate, http.MethodGet, "/v1/1-0/cluster/members-recursion-1?upstream="+upstream, "")
}

// upstreamsByName is GET /v1/upstreams's Incus lines by name.
func upstreamsByName(t *testing.T, gate *cgtest.Gate) map[string]map[string]any {
	t.Helper()
	status, list := getJSON(t, gate, "/v1/upstreams")
	require.Equal(t, http.StatusOK, status)
	out := map[string]map[string]any{}
	for _, u := range list["upstreams"].([]any) {
		if m := u.(map[string]any); m["upstream"] == "incus" {
			out[m["name"].(string)] = m
		}
	}
	return out
}

// readyzIncus is /readyz's status and its line for one Incus upstream.
func readyzIncus(t *testing.T, gate *cgtest.Gate, name string) (int, map[string]any) {
	t.Helper()
	status, body := getJSON(t, gate, "/readyz")
	line, _ := body["upstreams"].(map[string]any)["incus/"+name].(map[string]any)
	require.NotNil(t, line, "/readyz lists incus/%s: %v", name, body)
	return status, line
}

// writeConfig writes a clustergate config file and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clustergate.yaml")
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o600))
	return path
}

// TestBreakerRefusesAHungUpstreamAtOnce: with west hung, its first calls
// take the request deadline and answer 504; after three in a row its
// breaker opens and west calls, REST and MCP alike, answer 503 at once with
// Retry-After and a message naming west and keeping its last failure's
// words, while east (a real Incus) answers 200 throughout. /readyz and
// /v1/upstreams say west's breaker is open; the access log names west.
func TestBreakerRefusesAHungUpstreamAtOnce(t *testing.T) {
	east := lxdtest.Incus.Start(t)
	cfg := writeConfig(t, fmt.Sprintf("upstreams:\n  incus:\n    - name: east\n      socket: %s\n    - name: west\n      socket: %s\n",
		east.Socket, hungSocket(t)))
	const deadline, failures, cooldown = time.Second, 3, time.Minute // the breaker stays open for the whole test
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey,
		"CLUSTERGATE_RATE_LIMIT": "0", "CLUSTERGATE_REQUEST_TIMEOUT": deadline.String(), "CLUSTERGATE_AUDIT_LOG": auditLog,
		"CLUSTERGATE_BREAKER_FAILURES": strconv.Itoa(failures), "CLUSTERGATE_BREAKER_COOLDOWN": cooldown.String()})

	westSeen, eastSeen := map[int]int{}, map[int]int{}
	eastCall := func() {
		a := membersOn(t, gate, "east")
		eastSeen[a.status]++
	}
	for range failures { // each takes the deadline
		a := membersOn(t, gate, "west")
		westSeen[a.status]++
		assert.Equal(t, http.StatusGatewayTimeout, a.status, a.message)
		assert.GreaterOrEqual(t, a.took, deadline-100*time.Millisecond, "the upstream had the whole deadline")
		assert.Less(t, a.took, deadline+time.Second, "and no more")
		assert.Empty(t, a.retryAfter)
		eastCall()
	}
	const refusedCalls = 20
	for range refusedCalls { // the breaker is open: refused at once
		a := membersOn(t, gate, "west")
		westSeen[a.status]++
		assert.Equal(t, http.StatusServiceUnavailable, a.status, a.message)
		assert.Less(t, a.took, 200*time.Millisecond, "refused well within the deadline")
		assert.Contains(t, a.message, fmt.Sprintf(`incus upstream "west" is failing (%d calls in a row): its breaker refuses calls for`, failures))
		assert.Contains(t, a.message, "incus did not answer", "the last upstream error's words are kept")
		secs, err := strconv.Atoi(a.retryAfter)
		assert.NoError(t, err, "Retry-After is whole seconds: %q", a.retryAfter)
		assert.True(t, secs >= 1 && secs <= int(cooldown/time.Second), "Retry-After %d within the cool-down", secs)
		eastCall()
	}
	assert.Equal(t, map[int]int{http.StatusGatewayTimeout: failures, http.StatusServiceUnavailable: refusedCalls}, westSeen)
	assert.Equal(t, map[int]int{http.StatusOK: failures + refusedCalls}, eastSeen, "east answers throughout")

	// A refused write is audited like any other, naming the upstream.
	write := callGate(t, gate, http.MethodPost, "/v1/1-0/cluster/groups?upstream=west", `{"name":"refused"}`)
	assert.Equal(t, http.StatusServiceUnavailable, write.status, write.message)
	audited, err := os.ReadFile(auditLog)
	require.NoError(t, err)
	assert.Contains(t, string(audited), `"upstream":"incus/west"`)
	assert.Contains(t, string(audited), `"status":503`)

	// MCP tools call the same routes: the same breaker refuses them.
	sess, err := mcpSession(t, gate.MCPURL, adminKey)
	require.NoError(t, err)
	start := time.Now()
	refused := call(t, sess, "get-cluster-configuration", map[string]any{"upstream": "west"})
	assert.Less(t, time.Since(start), deadline/2, "refused at once over MCP too")
	assert.True(t, refused.IsError)
	assert.Contains(t, text(refused), `incus upstream "west" is failing`)
	served := call(t, sess, "get-cluster-configuration", map[string]any{"upstream": "east"})
	assert.False(t, served.IsError, text(served))
	listed := call(t, sess, "list-upstreams", nil)
	assert.Contains(t, text(listed), `its breaker refuses calls`, "list-upstreams says why west is not ready")

	status, west := readyzIncus(t, gate, "west")
	assert.Equal(t, http.StatusOK, status, "no upstream is required and east is ready")
	assert.Equal(t, false, west["ready"])
	assert.Contains(t, west["reason"], "its breaker refuses calls")
	ups := upstreamsByName(t, gate)
	assert.Equal(t, false, ups["west"]["ready"])
	assert.Contains(t, ups["west"]["reason"], `incus upstream "west" is failing`)
	assert.Equal(t, true, ups["east"]["ready"])

	res, err := http.Get(gate.URL + "/metrics")
	require.NoError(t, err)
	scraped, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(scraped), `clustergate_upstream_breaker_open{upstream="incus/west"} 1`)
	assert.Contains(t, string(scraped), `clustergate_upstream_breaker_open{upstream="incus/east"} 0`)

	var refusedLines int
	for _, l := range logLines(t, gate.Logs(), "request") {
		if l["status"] == float64(http.StatusServiceUnavailable) && l["upstream_name"] == "west" {
			refusedLines++
			assert.Equal(t, "incus", l["upstream"])
		}
	}
	assert.Equal(t, refusedCalls+2, refusedLines, "every refused call's access line names west (REST reads, the write, MCP)")
}

// TestBreakerUnderLoad: eight callers hammer a hung west at once, ten calls
// each. The calls let through before the breaker opened take the deadline
// (504), at least breaker-failures of them and at most one per caller; every
// other west call is refused at once (503); east answers 200 throughout.
func TestBreakerUnderLoad(t *testing.T) {
	east := lxdtest.Incus.Start(t)
	cfg := writeConfig(t, fmt.Sprintf("upstreams:\n  incus:\n    - name: east\n      socket: %s\n    - name: west\n      socket: %s\n",
		east.Socket, hungSocket(t)))
	const deadline, failures, callers, each = time.Second, 3, 8, 10
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey,
		"CLUSTERGATE_RATE_LIMIT": "0", "CLUSTERGATE_REQUEST_TIMEOUT": deadline.String(),
		"CLUSTERGATE_BREAKER_FAILURES": strconv.Itoa(failures), "CLUSTERGATE_BREAKER_COOLDOWN": "1m"})
	type result struct {
		status int
		took   time.Duration
		err    error
	}
	results := make(chan result, callers*each)
	bound := ctx(t) // every call ends within it
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range each {
				req, err := http.NewRequestWithContext(bound, http.MethodGet, gate.URL+"/v1/1-0/cluster/members-recursion-1?upstream=west", nil)
				if err != nil {
					results <- result{err: err}
					return
				}
				req.Header.Set("Authorization", "Bearer "+adminKey)
				start := time.Now()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					results <- result{err: err}
					return
				}
				_ = res.Body.Close()
				results <- result{status: res.StatusCode, took: time.Since(start)}
			}
		})
	}
	eastSeen := map[int]int{}
	for range 40 { // while the west callers run
		eastSeen[membersOn(t, gate, "east").status]++
	}
	wg.Wait()
	close(results)
	westSeen := map[int]int{}
	for r := range results {
		require.NoError(t, r.err)
		westSeen[r.status]++
		switch r.status {
		case http.StatusGatewayTimeout:
			assert.Less(t, r.took, deadline+time.Second, "a 504 within the deadline")
		case http.StatusServiceUnavailable:
			assert.Less(t, r.took, 200*time.Millisecond, "a refusal at once")
		default:
			t.Errorf("west answered %d", r.status)
		}
	}
	t.Logf("west: %v, east: %v", westSeen, eastSeen)
	assert.Equal(t, callers*each, westSeen[http.StatusGatewayTimeout]+westSeen[http.StatusServiceUnavailable])
	assert.GreaterOrEqual(t, westSeen[http.StatusGatewayTimeout], failures)
	assert.LessOrEqual(t, westSeen[http.StatusGatewayTimeout], callers, "once open, no call waits for the deadline")
	assert.Equal(t, map[int]int{http.StatusOK: 40}, eastSeen)
}

// TestBreakerClosesWhenTheUpstreamComesBack: two real Incus daemons; west
// (its own breaker settings in its upstreams: entry) is stopped, its calls
// fail until the breaker opens, /readyz and /v1/upstreams say so; west is
// started again on the same state directory and socket, and after the
// cool-down the first call (the probe) succeeds and closes the breaker.
func TestBreakerClosesWhenTheUpstreamComesBack(t *testing.T) {
	east, west := lxdtest.Incus.Start(t), lxdtest.Incus.Start(t)
	const failures, cooldown = 2, 3 * time.Second
	cfg := writeConfig(t, fmt.Sprintf("upstreams:\n  incus:\n    - name: east\n      socket: %s\n"+
		"    - name: west\n      socket: %s\n      breaker-failures: %d\n      breaker-cooldown: %s\n",
		east.Socket, west.Socket, failures, cooldown))
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey,
		"CLUSTERGATE_RATE_LIMIT": "0", "CLUSTERGATE_REQUEST_TIMEOUT": "5s"})
	require.Equal(t, http.StatusOK, membersOn(t, gate, "west").status)

	west.Stop()
	var failed int
	var refusal callAnswer
	var refusedAt time.Time
	for range 10 { // bounded: the breaker opens after `failures`
		a := membersOn(t, gate, "west")
		require.Contains(t, []int{http.StatusServiceUnavailable, http.StatusGatewayTimeout}, a.status, a.message)
		if strings.Contains(a.message, "its breaker refuses calls") {
			refusal, refusedAt = a, time.Now()
			break
		}
		failed++
		assert.Equal(t, http.StatusOK, membersOn(t, gate, "east").status, "east answers while west is down")
	}
	require.NotEmpty(t, refusal.message, "the breaker opened")
	assert.Equal(t, failures, failed, "the breaker opened after exactly breaker-failures upstream failures")
	assert.Contains(t, refusal.message, fmt.Sprintf(`incus upstream "west" is failing (%d calls in a row)`, failures))
	assert.Less(t, refusal.took, 200*time.Millisecond)
	secs, err := strconv.Atoi(refusal.retryAfter)
	require.NoError(t, err, refusal.retryAfter)
	assert.True(t, secs >= 1 && secs <= int(cooldown/time.Second), "Retry-After %d within west's own cool-down", secs)

	status, line := readyzIncus(t, gate, "west")
	assert.Equal(t, http.StatusOK, status, "east is ready and none is required")
	assert.Equal(t, false, line["ready"])
	assert.Contains(t, line["reason"], `incus upstream "west" is failing`)
	assert.Contains(t, upstreamsByName(t, gate)["west"]["reason"], "its breaker refuses calls")

	west.Restart()
	// Past the cool-down the breaker lets a probe through: the daemon is
	// back, so it answers and the breaker closes.
	time.Sleep(time.Until(refusedAt.Add(time.Duration(secs)*time.Second + 100*time.Millisecond)))
	probe := membersOn(t, gate, "west")
	assert.Equal(t, http.StatusOK, probe.status, "the probe after the cool-down reaches the restarted west: %s", probe.message)
	for range 5 {
		assert.Equal(t, http.StatusOK, membersOn(t, gate, "west").status, "closed again")
	}
	status, line = readyzIncus(t, gate, "west")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, true, line["ready"], line["reason"])
	assert.Equal(t, true, upstreamsByName(t, gate)["west"]["ready"])
}

// TestCallerErrorsDoNotOpenTheBreaker: a storm of callers' mistakes (404s
// from the real Incus for a member that does not exist, 409s for a group
// that exists, 400s for bad input) does not open a breaker set to open
// after three upstream failures: the next valid call is 200.
func TestCallerErrorsDoNotOpenTheBreaker(t *testing.T) {
	east := lxdtest.Incus.Start(t)
	cfg := writeConfig(t, fmt.Sprintf("upstreams:\n  incus:\n    - name: east\n      socket: %s\n", east.Socket))
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_CONFIG": cfg, "CLUSTERGATE_API_KEYS": "admin=" + adminKey,
		"CLUSTERGATE_RATE_LIMIT": "0", "CLUSTERGATE_BREAKER_FAILURES": "3", "CLUSTERGATE_BREAKER_COOLDOWN": "1m"})
	seen := map[int]int{}
	for range 20 {
		seen[callGate(t, gate, http.MethodGet, "/v1/1-0/cluster/members/no-such-member?upstream=east", "").status]++
	}
	require.Equal(t, http.StatusCreated, callGate(t, gate, http.MethodPost, "/v1/1-0/cluster/groups?upstream=east", `{"name":"taken"}`).status)
	for range 10 {
		seen[callGate(t, gate, http.MethodPost, "/v1/1-0/cluster/groups?upstream=east", `{"name":"taken"}`).status]++
	}
	for range 10 {
		seen[callGate(t, gate, http.MethodPost, "/v1/1-0/cluster/groups?upstream=east", `{"name":5}`).status]++
	}
	assert.Equal(t, map[int]int{http.StatusNotFound: 20, http.StatusConflict: 10, http.StatusBadRequest: 10}, seen)
	assert.Equal(t, http.StatusOK, membersOn(t, gate, "east").status, "the breaker is still closed")
	assert.Equal(t, true, upstreamsByName(t, gate)["east"]["ready"])
}
