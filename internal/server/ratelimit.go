package server

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/clustergate/clustergate/internal/apierr"
	"github.com/clustergate/clustergate/internal/auth"
)

// maxLimiters bounds the limiter table when callers are told apart by
// address (no keys configured): past it, the table starts afresh.
const maxLimiters = 10000

// limiter is a token bucket per API key, or per client address when auth
// is off, for /v1 routes.
type limiter struct {
	per   rate.Limit
	burst int
	mu    sync.Mutex
	by    map[string]*rate.Limiter
}

func rateLimit(per float64, burst int) echo.MiddlewareFunc {
	l := &limiter{per: rate.Limit(per), burst: burst, by: map[string]*rate.Limiter{}}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if per <= 0 || !isAPI(c) {
				return next(c)
			}
			// An identified caller has one bucket wherever it calls from;
			// only anonymous callers are told apart by address, which
			// X-Forwarded-For changes only from --trusted-proxies.
			who := "addr:" + c.RealIP()
			if id, ok := c.Get(ctxIdentity).(auth.Identity); ok && id.Kind != auth.KindAnonymous {
				who = id.Label()
			}
			r := l.get(who).Reserve()
			if d := r.Delay(); d > 0 {
				r.Cancel()
				secs := int(math.Ceil(d.Seconds()))
				c.Response().Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
				return apierr.New(http.StatusTooManyRequests,
					"rate limit: %s requests per second (burst %d) per caller; retry after %ds", fmt.Sprint(float64(l.per)), l.burst, max(secs, 1))
			}
			return next(c)
		}
	}
}

func (l *limiter) get(who string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if rl, ok := l.by[who]; ok {
		return rl
	}
	if len(l.by) >= maxLimiters {
		l.by = map[string]*rate.Limiter{}
	}
	rl := rate.NewLimiter(l.per, l.burst)
	l.by[who] = rl
	return rl
}
