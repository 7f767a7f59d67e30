package mcp

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/clustergate/clustergate/internal/auth"
)

// sessionHeader is the streamable HTTP transport's session id header.
const sessionHeader = "Mcp-Session-Id"

// sessionCap bounds open MCP sessions, in total and per caller, so a
// caller who opens sessions and walks away cannot grow the process without
// bound: the SDK closes idle ones (--mcp-session-idle), this refuses the
// next initialize while the caps are reached.
type sessionCap struct {
	max, perCaller int
	idle           time.Duration
	servers        func() []*sdk.Server // every server sessions are opened on
	mu             sync.Mutex
	owner          map[string]string // session id -> caller label
	pending        map[string]int    // initializes in flight, per caller
}

func (s *sessionCap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get(sessionHeader) != "" {
			next.ServeHTTP(w, r)
			return
		}
		who := callerLabel(r)
		if status, msg := s.reserve(who); status != 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(s.idle.Seconds())))
			refuse(w, r, status, msg)
			return
		}
		next.ServeHTTP(w, r)
		s.settle(who, w.Header().Get(sessionHeader))
	})
}

func callerLabel(r *http.Request) string {
	if id, ok := auth.IdentityFrom(r.Context()); ok && id.Kind != auth.KindAnonymous {
		return id.Label()
	}
	return "addr:" + r.Header.Get(PeerHeader)
}

// reserve counts a new session for who, or says why it may not open one.
func (s *sessionCap) reserve(who string) (int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := s.prune()
	total, mine := live, s.pending[who]
	for _, p := range s.pending {
		total += p
	}
	for _, o := range s.owner {
		if o == who {
			mine++
		}
	}
	switch {
	case mine >= s.perCaller:
		return http.StatusTooManyRequests, fmt.Sprintf("%s has %d open MCP sessions, the most --mcp-max-sessions-per-caller allows: "+
			"close one (DELETE /mcp with its Mcp-Session-Id) or let it idle out (--mcp-session-idle %s)", who, mine, s.idle)
	case total >= s.max:
		return http.StatusServiceUnavailable, fmt.Sprintf("clustergate has %d open MCP sessions, the most --mcp-max-sessions allows: "+
			"retry when one closes (idle sessions close after --mcp-session-idle %s)", total, s.idle)
	}
	s.pending[who]++
	return 0, ""
}

// settle turns who's reservation into the session the SDK opened, if any.
func (s *sessionCap) settle(who, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[who]--; s.pending[who] <= 0 {
		delete(s.pending, who)
	}
	if id != "" {
		s.owner[id] = who
	}
}

// prune forgets sessions the SDK no longer holds (closed, idle, deleted)
// and returns how many it holds.
func (s *sessionCap) prune() int {
	live := map[string]bool{}
	for _, srv := range s.servers() {
		for ss := range srv.Sessions() {
			live[ss.ID()] = true
		}
	}
	for id := range s.owner {
		if !live[id] {
			delete(s.owner, id)
		}
	}
	return len(live)
}
