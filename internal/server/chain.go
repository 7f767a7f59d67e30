package server

import (
	"sync"

	"github.com/labstack/echo/v4"
)

// chain runs the middleware around each route's handler, composed once per
// route instead of on every request. Echo composes e.Use middleware per
// request (a closure per middleware, each time), which with the surfaces'
// own middleware was a fifth of a fast request's allocations; and each
// surface's strict-input, follow and validator middleware ran on every
// route to find that the route was not its own. Here a route gets the
// common middleware plus only its own surface's, built on its first
// request and kept. Every middleware involved keeps no state between the
// call that wraps next and the requests (checked: they only close over
// their settings), so sharing the composed handler is safe.
type chain struct {
	common []echo.MiddlewareFunc
	// own is each route's surface middleware by method and path.
	own map[string]map[string][]echo.MiddlewareFunc

	mu    sync.RWMutex
	built map[string]map[string]echo.HandlerFunc
}

func newChain(common ...echo.MiddlewareFunc) *chain {
	return &chain{common: common, own: map[string]map[string][]echo.MiddlewareFunc{},
		built: map[string]map[string]echo.HandlerFunc{}}
}

// route gives the route method+path the middleware mws after the common ones.
func (ch *chain) route(method, path string, mws ...echo.MiddlewareFunc) {
	if ch.own[method] == nil {
		ch.own[method] = map[string][]echo.MiddlewareFunc{}
	}
	ch.own[method][path] = mws
}

// middleware is the one middleware given to e.Use. Echo hands it the
// matched route's handler (it is the last e.Use middleware); a request that
// matched no known route gets the common chain composed for it alone.
func (ch *chain) middleware(e *echo.Echo) echo.MiddlewareFunc {
	known := map[string]map[string]bool{}
	var once sync.Once
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			once.Do(func() { // every route is registered by the first request
				for _, r := range e.Routes() {
					if known[r.Method] == nil {
						known[r.Method] = map[string]bool{}
					}
					known[r.Method][r.Path] = true
				}
			})
			method, path := c.Request().Method, c.Path()
			if !known[method][path] {
				return ch.compose(next, method, path)(c)
			}
			ch.mu.RLock()
			h := ch.built[method][path]
			ch.mu.RUnlock()
			if h == nil {
				h = ch.compose(next, method, path)
				ch.mu.Lock()
				if ch.built[method] == nil {
					ch.built[method] = map[string]echo.HandlerFunc{}
				}
				ch.built[method][path] = h
				ch.mu.Unlock()
			}
			return h(c)
		}
	}
}

func (ch *chain) compose(h echo.HandlerFunc, method, path string) echo.HandlerFunc {
	own := ch.own[method][path]
	for i := len(own) - 1; i >= 0; i-- {
		h = own[i](h)
	}
	for i := len(ch.common) - 1; i >= 0; i-- {
		h = ch.common[i](h)
	}
	return h
}

// byRoute is m[method+" "+path] of the request's matched route (the
// catalog.Op.Key form), with the key built on the stack: the concatenation
// of a key over 32 bytes was a heap allocation per lookup, four per request.
func byRoute[V any](m map[string]V, c echo.Context) (V, bool) {
	var buf [128]byte
	key := append(append(append(buf[:0], c.Request().Method...), ' '), c.Path()...)
	v, ok := m[string(key)]
	return v, ok
}
