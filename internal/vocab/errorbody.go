package vocab

import (
	"encoding/json"
	"net/http"
)

// ErrorBody is the one error shape of every clustergate answer: REST, /mcp,
// the docs pages. specgen derives the facade specs' Error schema from its
// fields and doc tags, so the wire and the spec cannot drift.
type ErrorBody struct {
	Status    int    `json:"status" doc:"HTTP status of this answer."`
	Message   string `json:"message" doc:"What went wrong; an upstream's own message is kept."`
	Upstream  string `json:"upstream,omitempty" doc:"The upstream that failed or refused, when one did."`
	RequestID string `json:"request_id,omitempty" doc:"The request id, as in the X-Request-Id header."`
}

// Write answers with the body as JSON, with its status. Handlers outside the
// Echo chain (/mcp's authentication, the docs pages) answer through it.
func (b ErrorBody) Write(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if b.RequestID == "" {
		b.RequestID = h.Get("X-Request-Id")
	}
	w.WriteHeader(b.Status)
	if r != nil && r.Method == http.MethodHead {
		return nil
	}
	return json.NewEncoder(w).Encode(b)
}
