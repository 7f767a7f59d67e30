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
// Incus and LXD answer many client mistakes with 500 (a duplicate cluster
// group is "500 This cluster group already exists", a member list on a
// standalone server "500 Server is not clustered"), so a 5xx whose message
// says so gets the status the client needs: 409 or 404 (stateMessages).
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
		if se.Status() == http.StatusForbidden && strings.Contains(strings.ToLower(se.Error()), "not authorized") {
			return apierr.Upstream(Name, http.StatusBadGateway, err, "%s", refusedCredential).WithAnswer(se.Status())
		}
		status := upstreamStatus(se)
		return apierr.Upstream(Name, status, err, "incus: %s", se.Error()).WithAnswer(se.Status())
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

// refusedCredential explains Incus's 403 "not authorized": the daemon did
// not accept clustergate's own credential, so the caller lacks nothing and
// an operator must fix clustergate's configuration.
const refusedCredential = "incus refused clustergate's own credential (not authorized): " +
	"trust clustergate's client certificate (INCUS_CLIENT_CERT) on the server, e.g. with `incus config trust add-certificate`, " +
	"or check INCUS_API_KEY"

func upstreamStatus(se api.StatusError) int {
	status := se.Status()
	msg := strings.ToLower(se.Error())
	if status >= 400 && status < 500 && status != http.StatusForbidden {
		return status
	}
	for _, m := range stateMessages {
		if strings.Contains(msg, m.words) {
			return m.status
		}
	}
	if status == http.StatusForbidden {
		return status
	}
	return http.StatusBadGateway
}

// stateMessages are the words Incus 6.0 and LXD 5.0 use, under a 500 (or a
// 403), for a request the resource's state refuses (409) or for a resource
// that does not exist (404). Each was seen on a real daemon; the contract
// suite (tests/contract) checks them against both.
var stateMessages = []struct {
	words  string
	status int
}{
	{"already exists", http.StatusConflict},                    // LXD: duplicate cluster group
	{"unique constraint failed", http.StatusConflict},          // Incus: duplicate cluster group
	{"already has a member with name", http.StatusConflict},    // Incus: join token for a member's name
	{"not clustered", http.StatusConflict},                     // member list on a standalone server
	{"is the only member in the cluster", http.StatusConflict}, // deleting the last member
	{"only empty cluster groups can be removed", http.StatusConflict},
	{"cluster group cannot be deleted", http.StatusConflict}, // 403 for the default group
	{"not found", http.StatusNotFound},
	{"expected to update one row, not 0", http.StatusNotFound}, // LXD: rename of an unknown member
	{"query deleted 0 rows instead of 1", http.StatusNotFound}, // LXD: delete of an unknown group
}

func isUnreachable(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)
}
