package vocab

// ErrorBody is the one error shape of every clustergate answer: REST, /mcp,
// the docs pages. specgen derives the facade specs' Error schema from its
// fields and doc tags, so the wire and the spec cannot drift.
type ErrorBody struct {
	Status    int    `json:"status" doc:"HTTP status of this answer."`
	Message   string `json:"message" doc:"What went wrong; an upstream's own message is kept."`
	Upstream  string `json:"upstream,omitempty" doc:"The upstream that failed or refused, when one did."`
	RequestID string `json:"request_id,omitempty" doc:"The request id, as in the X-Request-Id header."`
}
