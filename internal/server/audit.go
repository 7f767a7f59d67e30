package server

import (
	"bytes"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/audit"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/vocab"
)

// auditCalls writes one audit record for every call of an operation that
// changes state or reveals a secret, whatever its outcome, before the
// answer leaves: the answer is held until the record is written, and when
// it cannot be written the caller gets 503 instead (fail closed). It runs
// before authentication so refusals (401, 403, 429) are recorded too.
func auditCalls(log *audit.Log, routes map[string]catalog.Op, upstreams map[string]string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			op, ok := byRoute(routes, c)
			if log == nil || !ok || !op.Safety.Audited() {
				return next(c)
			}
			res := c.Response()
			hold := &heldResponse{real: res.Writer}
			res.Writer = hold
			if err := next(c); err != nil {
				c.Error(err)
			}
			res.Writer = hold.real
			if err := log.Write(record(c, op, upstreamLabel(c, upstreams[op.Surface]))); err != nil {
				c.Logger().Error(err)
				c.Set(ctxAuditErr, err.Error())
				return auditFailed(c, res)
			}
			return hold.flush()
		}
	}
}

const ctxAuditErr = "clustergate.audit_error"

func record(c echo.Context, op catalog.Op, upstream string) audit.Record {
	id, ok := c.Get(ctxIdentity).(auth.Identity)
	if !ok {
		id = auth.Anonymous() // refused before authentication: no identity
	}
	r := audit.Record{Time: time.Now().UTC(), RequestID: requestID(c), Identity: id.Name, IdentityKind: string(id.Kind),
		Role: string(id.Role), Peer: c.RealIP(), Via: "rest", Tool: catalog.ToolOf(c.Request().Context()),
		Operation: op.OperationID, Class: string(op.Safety.Class), Sensitive: op.Safety.Sensitive,
		Upstream: upstream, UpstreamOperation: op.UpstreamOp, Status: c.Response().Status}
	if r.Identity == "" {
		r.Identity = id.Label()
	}
	if r.Tool != "" {
		r.Via = "mcp"
	}
	if names := c.ParamNames(); len(names) > 0 {
		r.Target = map[string]string{}
		for i, n := range names {
			r.Target[n] = c.ParamValues()[i]
		}
	}
	r.Outcome = audit.Outcome(r.Status)
	return r
}

// auditFailed replaces the held answer with a 503 in the one error shape.
func auditFailed(c echo.Context, res *echo.Response) error {
	h := res.Header()
	reqID := h.Get(echo.HeaderXRequestID)
	for k := range h {
		delete(h, k)
	}
	h.Set(echo.HeaderXRequestID, reqID)
	res.Status = http.StatusServiceUnavailable
	return vocab.ErrorBody{Status: http.StatusServiceUnavailable, RequestID: reqID,
		Message: "the audit log cannot be written: the answer is withheld (the upstream may have acted; check before retrying)"}.Write(res.Writer, c.Request())
}

// heldResponse keeps an answer until its audit record is written; headers
// go to the real writer's map, which is only sent on flush.
type heldResponse struct {
	real   http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.real.Header() }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

// Flush does nothing: the answer must not leave before its audit record.
// (Echo panics on a writer that cannot flush.)
func (h *heldResponse) Flush() {}

func (h *heldResponse) flush() error {
	if h.status == 0 {
		return nil // nothing was answered; echo's server answers 200 with no body
	}
	h.real.WriteHeader(h.status)
	_, err := h.real.Write(h.body.Bytes())
	return err
}
