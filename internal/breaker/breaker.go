// Package breaker is one circuit breaker per named upstream: after a number
// of upstream failures in a row, calls to that upstream are refused at once
// (503 with Retry-After) for a cool-down, instead of each caller waiting for
// its request deadline; then a bounded number of probe calls go through, and
// one that the upstream answers closes it again. Only the upstream's own
// failures count (no answer, or its own 502, 503 or 504: see Classify); a
// caller's mistakes, an answer such as 404, 409 or 500 from the upstream,
// and a caller who hangs up never open it.
//
// The state machine is github.com/sony/gobreaker/v2 (pinned at v2.4.0): a
// small, dependency-free and widely used breaker whose two-step form (Allow,
// then report the outcome) fits around an HTTP handler, and whose
// IsExcluded lets an error count as neither success nor failure, which is
// what a caller's 4xx is. Writing the closed/open/half-open bookkeeping here
// would duplicate it.
//
// The package knows no HTTP framework: the server wraps each named
// upstream's handlers with Allow, and /readyz asks Refusal.
package breaker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/clustergate/clustergate/internal/apierr"
)

// Probes is how many calls a half-open breaker lets through; that many
// answered in a row close it, one failure opens it again.
const Probes = 1

// Settings configure one upstream's breaker.
type Settings struct {
	Surface  string        // the surface's upstream kind in messages: incus, portworx, capi
	Name     string        // the named upstream: east, west, default
	Failures int           // upstream failures in a row that open it; 0 turns it off
	Cooldown time.Duration // how long an open breaker refuses calls before probing
}

// Breaker guards one named upstream. A nil *Breaker lets every call
// through (the breaker is off).
type Breaker struct {
	set Settings
	cb  *gobreaker.TwoStepCircuitBreaker[struct{}]

	mu       sync.Mutex
	openedAt time.Time // when it last opened
	streak   int       // upstream failures in a row
	last     string    // the last upstream failure's words
}

// New returns the breaker of one upstream, or nil when s.Failures is 0.
func New(s Settings) *Breaker {
	if s.Failures <= 0 {
		return nil
	}
	b := &Breaker{set: s}
	b.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        s.Surface + "/" + s.Name,
		MaxRequests: Probes,
		Timeout:     s.Cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(s.Failures) },
		IsExcluded:  func(err error) bool { return Classify(err) == Excluded },
		IsSuccessful: func(err error) bool {
			return Classify(err) == Success
		},
		OnStateChange: func(_ string, _, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				b.mu.Lock()
				b.openedAt = time.Now()
				b.mu.Unlock()
			}
		},
	})
	return b
}

// Outcome is how a call's result counts for the breaker.
type Outcome int

// The outcomes of a call.
const (
	Success  Outcome = iota // the upstream answered (possibly with a refusal of its own)
	Failure                 // the upstream failed: unreachable, erroring or too slow
	Excluded                // says nothing about the upstream: the facade refused, or the caller left
)

// Classify says how err counts. A failure is an upstream that did not
// answer (unreachable, too slow, TLS refused: the adapter's 502, 503 or
// 504 with no answer behind it) or that answered it is unavailable itself
// (its own 502, 503 or 504). Any other answer is a success, 500 included:
// Incus and LXD answer many refusals of one request with 500, and one
// caller repeating a request the upstream refuses must not close that
// upstream to every caller. The facade's own errors (bad input,
// validation, routing, anything unclassified) never reached the upstream,
// and a cancelled call is the caller leaving: both are excluded.
func Classify(err error) Outcome {
	if err == nil {
		return Success
	}
	if errors.Is(err, context.Canceled) {
		return Excluded
	}
	var e *apierr.Error
	if !errors.As(err, &e) || e.Upstream == "" {
		return Excluded
	}
	status := e.Status
	if e.Answered != 0 {
		status = e.Answered
	}
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return Failure
	}
	return Success
}

// Allow asks whether a call may go to the upstream. When it may, done must
// be called with the call's error (nil on success). When it may not, the
// refusal is a 503 naming the upstream and its last failure, and retry says
// when to try again (for Retry-After).
func (b *Breaker) Allow() (done func(error), retry time.Duration, refusal *apierr.Error) {
	if b == nil {
		return func(error) {}, 0, nil
	}
	report, err := b.cb.Allow()
	if err != nil {
		retry, refusal = b.refusal(err)
		return nil, retry, refusal
	}
	return func(err error) {
		b.note(err)
		report(err)
	}, 0, nil
}

// note keeps the failure streak and the last upstream failure's words.
func (b *Breaker) note(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch Classify(err) {
	case Failure:
		b.streak++
		b.last = apierr.From(err).Message
	case Success:
		b.streak = 0
	}
}

// Refusal is the refusal a call would get now, nil when calls go through
// (closed, or half-open with a probe slot free or taken): /readyz and
// /v1/upstreams report it as the reason the upstream is not ready.
func (b *Breaker) Refusal() *apierr.Error {
	if !b.Open() {
		return nil
	}
	_, refusal := b.refusal(gobreaker.ErrOpenState)
	return refusal
}

// Open says whether the breaker refuses calls now (for metrics).
func (b *Breaker) Open() bool { return b != nil && b.cb.State() == gobreaker.StateOpen }

// refusal builds the 503 of a refused call and how long until a probe.
func (b *Breaker) refusal(cause error) (time.Duration, *apierr.Error) {
	b.mu.Lock()
	streak, last, opened := b.streak, b.last, b.openedAt
	b.mu.Unlock()
	s := b.set
	what := fmt.Sprintf("%s upstream %q is failing (%d calls in a row)", s.Surface, s.Name, streak)
	if errors.Is(cause, gobreaker.ErrTooManyRequests) {
		// Half-open: the probe is in flight; its answer decides.
		return time.Second, apierr.Upstream(s.Surface, http.StatusServiceUnavailable, cause,
			"%s: its breaker is letting a probe call through and refuses others until it answers (last error: %s)", what, last)
	}
	// Whole seconds, rounded up: Retry-After counts in seconds.
	left := (time.Until(opened.Add(s.Cooldown)) + time.Second - 1).Truncate(time.Second)
	if left < time.Second {
		left = time.Second
	}
	return left, apierr.Upstream(s.Surface, http.StatusServiceUnavailable, cause,
		"%s: its breaker refuses calls for %s (last error: %s)", what, left, last)
}
