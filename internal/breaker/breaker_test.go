package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/breaker"
)

// TestClassify: only an upstream's 502/503/504 is a failure; the facade's
// own errors and a caller who left say nothing; an upstream's 4xx is an answer.
func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want breaker.Outcome
	}{
		{"nil", nil, breaker.Success},
		{"upstream 502", apierr.Upstream("incus", http.StatusBadGateway, nil, "x"), breaker.Failure},
		{"upstream 503", apierr.Upstream("incus", http.StatusServiceUnavailable, nil, "x"), breaker.Failure},
		{"upstream 504 wrapped", fmt.Errorf("ctx: %w", apierr.Upstream("capi", http.StatusGatewayTimeout, context.DeadlineExceeded, "x")), breaker.Failure},
		{"upstream 404", apierr.Upstream("incus", http.StatusNotFound, nil, "x"), breaker.Success},
		{"upstream 409", apierr.Upstream("incus", http.StatusConflict, nil, "x"), breaker.Success},
		{"upstream 412", apierr.Upstream("portworx", http.StatusPreconditionFailed, nil, "x"), breaker.Success},
		{"upstream 400", apierr.Upstream("incus", http.StatusBadRequest, nil, "x"), breaker.Success},
		// An answer is judged by the upstream's own status, not the facade's:
		// Incus's 500 "Unable to promote remaining cluster member to leader"
		// is a 502 to the caller, but the daemon answered.
		{"answered 500 (facade 502)", apierr.Upstream("incus", http.StatusBadGateway, nil, "x").WithAnswer(500), breaker.Success},
		{"answered 403 (facade 502, refused credential)", apierr.Upstream("incus", http.StatusBadGateway, nil, "x").WithAnswer(403), breaker.Success},
		{"answered 503", apierr.Upstream("portworx", http.StatusServiceUnavailable, nil, "x").WithAnswer(503), breaker.Failure},
		{"answered 504", apierr.Upstream("capi", http.StatusGatewayTimeout, nil, "x").WithAnswer(504), breaker.Failure},
		{"answered 502 (its own gateway failed)", apierr.Upstream("portworx", http.StatusBadGateway, nil, "x").WithAnswer(502), breaker.Failure},
		{"facade 400", apierr.BadRequest("name: bad"), breaker.Excluded},
		{"facade 503", apierr.New(http.StatusServiceUnavailable, "audit log down"), breaker.Excluded},
		{"caller left", apierr.Upstream("incus", http.StatusGatewayTimeout, context.Canceled, "cancelled"), breaker.Excluded},
		{"unclassified", errors.New("boom"), breaker.Excluded},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, breaker.Classify(c.err), c.name)
	}
}

func TestOffIsNil(t *testing.T) {
	b := breaker.New(breaker.Settings{Surface: "incus", Name: "west", Failures: 0, Cooldown: time.Second})
	require.Nil(t, b)
	done, _, refusal := b.Allow()
	require.Nil(t, refusal)
	done(apierr.Upstream("incus", http.StatusBadGateway, nil, "down"))
	assert.Nil(t, b.Refusal())
}

// TestOpensProbesCloses walks the states: failures in a row open it (caller
// errors in between neither count nor reset), the refusal names the
// upstream and keeps the last words, a probe after the cool-down closes it.
func TestOpensProbesCloses(t *testing.T) {
	b := breaker.New(breaker.Settings{Surface: "incus", Name: "west", Failures: 3, Cooldown: 300 * time.Millisecond})
	down := apierr.Upstream("incus", http.StatusGatewayTimeout, context.DeadlineExceeded, "incus did not answer get_member within the request deadline")
	call := func(err error) *apierr.Error {
		done, _, refusal := b.Allow()
		if refusal == nil {
			done(err)
		}
		return refusal
	}
	require.Nil(t, call(down))
	require.Nil(t, call(down))
	require.Nil(t, call(apierr.BadRequest("bad name"))) // excluded: the streak goes on
	require.Nil(t, b.Refusal())
	require.Nil(t, call(down)) // the third in a row opens it

	_, retry, refusal := b.Allow()
	require.NotNil(t, refusal)
	assert.Equal(t, http.StatusServiceUnavailable, refusal.Status)
	assert.Equal(t, "incus", refusal.Upstream)
	assert.Contains(t, refusal.Message, `incus upstream "west" is failing (3 calls in a row)`)
	assert.Contains(t, refusal.Message, "within the request deadline")
	assert.Equal(t, time.Second, retry)
	require.NotNil(t, b.Refusal())

	time.Sleep(350 * time.Millisecond)
	require.Nil(t, b.Refusal(), "half-open after the cool-down")
	done, _, refusal := b.Allow() // the probe
	require.Nil(t, refusal)
	_, retry, refusal = b.Allow() // a second call while the probe is out
	require.NotNil(t, refusal)
	assert.Contains(t, refusal.Message, "probe")
	assert.Equal(t, time.Second, retry)
	done(apierr.Upstream("incus", http.StatusNotFound, nil, "not found")) // answered: closes
	for range 5 {
		require.Nil(t, call(nil))
	}
}

// TestFailedProbeReopens: a probe that fails opens it again for a cool-down.
func TestFailedProbeReopens(t *testing.T) {
	b := breaker.New(breaker.Settings{Surface: "portworx", Name: "dc1", Failures: 1, Cooldown: 200 * time.Millisecond})
	down := apierr.Upstream("portworx", http.StatusBadGateway, nil, "connection refused")
	done, _, _ := b.Allow()
	done(down)
	require.NotNil(t, b.Refusal())
	time.Sleep(250 * time.Millisecond)
	done, _, refusal := b.Allow()
	require.Nil(t, refusal)
	done(down)
	refusal = b.Refusal()
	require.NotNil(t, refusal)
	assert.Contains(t, refusal.Message, `portworx upstream "dc1" is failing (2 calls in a row)`)
	assert.Contains(t, refusal.Message, "connection refused")
}
