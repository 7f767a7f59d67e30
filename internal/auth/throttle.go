package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Failed authentications a source may make at once, and how fast it earns
// more: a client with a mistyped key finds out at once, a key guesser gets
// one try every few seconds.
const (
	FailBurst = 10
	FailEvery = 6 * time.Second
	// maxSources bounds the table; past it, it starts afresh.
	maxSources = 10000
)

// Throttle counts failed authentications per source address. A missing
// key is not counted: only a wrong one is a guess.
type Throttle struct {
	mu sync.Mutex
	by map[string]*rate.Limiter
}

// NewThrottle returns an empty throttle.
func NewThrottle() *Throttle { return &Throttle{by: map[string]*rate.Limiter{}} }

// Wait is how long source must wait before its next attempt; 0 when it may
// try now.
func (t *Throttle) Wait(source string) time.Duration {
	tokens := t.get(source).Tokens()
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(FailEvery))
}

// Fail spends one of source's attempts.
func (t *Throttle) Fail(source string) { t.get(source).Allow() }

func (t *Throttle) get(source string) *rate.Limiter {
	t.mu.Lock()
	defer t.mu.Unlock()
	if l, ok := t.by[source]; ok {
		return l
	}
	if len(t.by) >= maxSources {
		t.by = map[string]*rate.Limiter{}
	}
	l := rate.NewLimiter(rate.Every(FailEvery), FailBurst)
	t.by[source] = l
	return l
}

// RetryAfter renders a wait as whole seconds, at least 1, for Retry-After.
func RetryAfter(d time.Duration) int { return max(int((d+time.Second-1)/time.Second), 1) }
