package incus

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/clustergate/clustergate/internal/apierr"
)

// classify turns an Incus client error into an apierr.Error:
//   - the server's own 4xx answers keep their status and message;
//   - its 5xx answers become 502 (the upstream failed, not the facade);
//   - an unreachable server is 503, an expired deadline 504;
//   - a missing API extension is 501: the server cannot do this at all.
//
// LXD answers some client mistakes with 500 (a duplicate cluster group is
// "500 This cluster group already exists", a member list on a standalone
// server "500 Server is not clustered"), so a 5xx whose message says so
// keeps the status the client needs: 409 or 404.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var already *apierr.Error
	if errors.As(err, &already) {
		return err
	}
	var se api.StatusError
	if errors.As(err, &se) {
		status := upstreamStatus(se)
		return apierr.Upstream(Name, status, err, "incus: %s", se.Error())
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return apierr.Upstream(Name, http.StatusGatewayTimeout, err, "incus did not answer %s within the request deadline", op)
	case errors.Is(err, context.Canceled):
		return apierr.Upstream(Name, http.StatusGatewayTimeout, err, "incus %s was cancelled", op)
	case strings.Contains(err.Error(), "API extension"):
		return apierr.Upstream(Name, http.StatusNotImplemented, err, "incus: %s", err.Error())
	case isUnreachable(err):
		return apierr.Upstream(Name, http.StatusServiceUnavailable, err, "incus upstream is not reachable: %s", err.Error())
	}
	return apierr.Upstream(Name, http.StatusBadGateway, err, "incus %s failed: %s", op, err.Error())
}

func upstreamStatus(se api.StatusError) int {
	status := se.Status()
	if status >= 400 && status < 500 {
		return status
	}
	msg := strings.ToLower(se.Error())
	switch {
	case strings.Contains(msg, "already exists"), strings.Contains(msg, "not clustered"):
		return http.StatusConflict // the resource's state refuses the request
	case strings.Contains(msg, "not found"):
		return http.StatusNotFound
	}
	return http.StatusBadGateway
}

func isUnreachable(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}
