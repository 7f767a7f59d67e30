package incus

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	incusclient "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/api"

	"github.com/clustergate/clustergate/internal/apierr"
)

// await waits for an async operation within the wait budget. It returns the
// finished operation (done), the still-running one (not done) when the budget
// ran out first, or the operation's failure as a 409 with its message.
func (a *Adapter) await(ctx context.Context, what string, s incusclient.InstanceServer, op incusclient.Operation, err error) (*api.Operation, bool, error) {
	if err != nil {
		return nil, false, classify(what, err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, a.waitBudget(ctx))
	defer cancel()
	if werr := op.WaitContext(waitCtx); werr == nil {
		cur := op.Get()
		return &cur, true, nil
	}
	id := op.Get().ID
	if ctx.Err() != nil {
		return nil, false, stillRunning(what, id, ctx.Err())
	}
	cur, _, gerr := s.GetOperation(id)
	if gerr != nil {
		return nil, false, classifyf(gerr, "%s: read operation %s", what, id)
	}
	switch {
	case cur.StatusCode == api.Success:
		return cur, true, nil
	case cur.StatusCode.IsFinal():
		return nil, false, apierr.Upstream(Name, http.StatusConflict, fmt.Errorf("%s", cur.Err),
			"incus: %s failed: %s", what, cur.Err)
	}
	return cur, false, nil
}

// stillRunning is the 504 of a write whose request ended while its upstream
// operation ran: the write may still complete, and the caller learns where
// to follow it (when the upstream gave an operation id).
func stillRunning(what, id string, cause error) error {
	if id == "" {
		return classify(what, cause)
	}
	return apierr.Upstream(Name, http.StatusGatewayTimeout, cause,
		"incus: the request ended before %s finished; the upstream operation %s may still complete: poll GET /v1/1-0/operations/%s",
		what, id, url.PathEscape(id))
}

// waitBudget leaves time before the request deadline to answer 202.
func (a *Adapter) waitBudget(ctx context.Context) time.Duration {
	budget := a.cfg.Wait
	if budget <= 0 {
		budget = 20 * time.Second
	}
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) - 2*time.Second; left < budget {
			budget = max(left, time.Second)
		}
	}
	return budget
}

// classifyf classifies err with a formatted description of the call.
func classifyf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return classify(fmt.Sprintf(format, args...), err)
}
