package portworx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/clustergate/clustergate/internal/apierr"
)

// rpcError is the gateway's error body: gRPC status as JSON.
type rpcError struct {
	Error   string `json:"error"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// grpcStatus maps gRPC codes to HTTP statuses for the facade's caller.
var grpcStatus = map[int]int{
	3:  http.StatusBadRequest,         // InvalidArgument
	4:  http.StatusGatewayTimeout,     // DeadlineExceeded
	5:  http.StatusNotFound,           // NotFound
	6:  http.StatusConflict,           // AlreadyExists
	7:  http.StatusForbidden,          // PermissionDenied
	9:  http.StatusPreconditionFailed, // FailedPrecondition
	14: http.StatusServiceUnavailable, // Unavailable
	16: http.StatusUnauthorized,       // Unauthenticated
}

// answerError turns a non-2xx gateway answer into an apierr.Error that keeps
// the upstream's message. The SDK server reports most failures as code 13
// (Internal, HTTP 500) and only its message tells them apart, as measured:
// "... Key not found", "... Cluster pair for id X not found" (404), and a
// refused remote token "Token mismatch during pairing" or pairing with
// itself (400: the request named them).
func answerError(op string, status int, body []byte) error {
	var e rpcError
	if json.Unmarshal(body, &e) != nil || (e.Message == "" && e.Error == "") {
		return apierr.Upstream(Name, http.StatusBadGateway, nil,
			"portworx %s: unexpected answer %d %q: is the endpoint the OpenStorage SDK REST port?", op, status, snippet(body))
	}
	msg := e.Message
	if msg == "" {
		msg = e.Error
	}
	return apierr.Upstream(Name, statusFor(e.Code, msg), nil, "portworx: %s", msg).WithAnswer(status)
}

func statusFor(code int, msg string) int {
	if s, ok := grpcStatus[code]; ok {
		return s
	}
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "not found"):
		return http.StatusNotFound
	case strings.Contains(lower, "token mismatch"), strings.Contains(lower, "with self"):
		return http.StatusBadRequest
	}
	return http.StatusBadGateway
}

// transportError classifies a failure to get any answer.
func transportError(op, endpoint string, err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return apierr.Upstream(Name, http.StatusGatewayTimeout, err, "portworx did not answer %s within the deadline (%s)", op, endpoint)
	case errors.Is(err, context.Canceled):
		return apierr.Upstream(Name, http.StatusGatewayTimeout, err, "portworx %s was cancelled", op)
	}
	if alert := refusedTLS(err); alert != nil {
		return apierr.Upstream(Name, http.StatusBadGateway, err,
			"portworx at %s refused the TLS handshake: %v; %s", endpoint, alert, ConfigureClientCert)
	}
	var ne *net.OpError
	if errors.As(err, &ne) {
		return apierr.Upstream(Name, http.StatusServiceUnavailable, err,
			"portworx upstream is not reachable at %s: %v; %s", endpoint, ne.Err, Configure)
	}
	return apierr.Upstream(Name, http.StatusBadGateway, err, "portworx %s failed: %v", op, err)
}

// tlsRefusal is the net.OpError.Op crypto/tls gives an alert the server sent:
// "tls: certificate required" (no client certificate), "tls: bad
// certificate" or "tls: unknown certificate authority" (one the server does
// not trust). The gateway answered, so it is reachable: the fix is the client
// certificate, not the endpoint.
const tlsRefusal = "remote error"

// refusedTLS returns the TLS alert the server refused the handshake with, or nil.
func refusedTLS(err error) error {
	var ne *net.OpError
	if errors.As(err, &ne) && ne.Op == tlsRefusal {
		return ne.Err
	}
	return nil
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return fmt.Sprint(s)
}
