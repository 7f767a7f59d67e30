package portworx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clustergate/clustergate/internal/apierr"
)

func TestAnswerErrorMapsGRPCCodesAndKeepsTheMessage(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		status int
		msg    string
	}{
		{"invalid argument", `{"error":"Must supply valid cluster ID","code":3,"message":"Must supply valid cluster ID"}`, 400, "portworx: Must supply valid cluster ID"},
		{"deadline", `{"code":4,"message":"deadline"}`, 504, "portworx: deadline"},
		{"not found", `{"code":5,"message":"no pair"}`, 404, "portworx: no pair"},
		{"permission denied", `{"code":7,"message":"Access denied without authentication token"}`, 403, "portworx: Access denied without authentication token"},
		{"unavailable", `{"code":14,"message":"down"}`, 503, "portworx: down"},
		{"unauthenticated", `{"code":16,"message":"Must be system admin to get pair token"}`, 401, "portworx: Must be system admin to get pair token"},
		{"not found under Internal", `{"error":"x","code":13,"message":"Cannot delete the cluster pair osd-1 : Key not found"}`, 404, "portworx: Cannot delete the cluster pair osd-1 : Key not found"},
		{"refused remote token", `{"code":13,"message":"Cannot create cluster with remote pair 127.0.0.1 : Error from remote cluster: Token mismatch during pairing"}`, 400,
			"portworx: Cannot create cluster with remote pair 127.0.0.1 : Error from remote cluster: Token mismatch during pairing"},
		{"other internal error", `{"code":13,"message":"boom"}`, 502, "portworx: boom"},
		{"error field only", `{"error":"only error","code":13}`, 502, "portworx: only error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := apierr.From(answerError("op", 500, []byte(c.body)))
			assert.Equal(t, c.status, e.Status)
			assert.Equal(t, c.msg, e.Message)
			assert.Equal(t, Name, e.Upstream)
		})
	}
}

func TestAnswerErrorOnANonSDKEndpoint(t *testing.T) {
	e := apierr.From(answerError("enumerate cluster pairs", 404, []byte("Not Found")))
	assert.Equal(t, http.StatusBadGateway, e.Status)
	assert.Equal(t, `portworx enumerate cluster pairs: unexpected answer 404 "Not Found": is the endpoint the OpenStorage SDK REST port?`, e.Message)
}

func TestTransportError(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	e := apierr.From(transportError("enumerate", "http://127.0.0.1:9", refused))
	assert.Equal(t, 503, e.Status)
	assert.Contains(t, e.Message, "not reachable at http://127.0.0.1:9")
	assert.Contains(t, e.Message, "PORTWORX_ENDPOINT")
	e = apierr.From(transportError("enumerate", "x", context.DeadlineExceeded))
	assert.Equal(t, 504, e.Status)
	e = apierr.From(transportError("enumerate", "x", errors.New("tls: bad certificate")))
	assert.Equal(t, 502, e.Status)
}

// TestAnswerErrorKeepsTheGatewaysStatus: the breakers judge an answer by the
// gateway's own status; a body that is not the SDK's is not its answer.
func TestAnswerErrorKeepsTheGatewaysStatus(t *testing.T) {
	assert.Equal(t, 500, apierr.From(answerError("op", 500, []byte(`{"code":13,"message":"boom"}`))).Answered)
	assert.Equal(t, 503, apierr.From(answerError("op", 503, []byte(`{"code":14,"message":"down"}`))).Answered)
	assert.Equal(t, 0, apierr.From(answerError("op", 502, []byte(`<html>bad gateway</html>`))).Answered)
}
