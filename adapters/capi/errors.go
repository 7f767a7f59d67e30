package capi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/clustergate/clustergate/internal/apierr"
)

// classify turns a Kubernetes client error into an apierr.Error whose
// message is "capi: <what>: <the API server's own message>":
//   - not found 404, already exists and conflicts 409, other client errors
//     keep their status, except that an invalid object (422) is a 400 like
//     every other bad request of the facade;
//   - a refusal of Cluster API's admission webhooks keeps the webhook's
//     words and says who refused (a 403 denial is a 400): clustergate checks
//     what it can before writing, but the webhook is the authority;
//   - 401 and 403 are 502: the management cluster refused clustergate's own
//     identity, which the facade's caller can neither fix nor retry;
//   - the API server's timeouts are 504, its other failures 502;
//   - an unreachable server is 503, an expired deadline 504;
//   - a server without the cluster.x-k8s.io/v1beta2 API is 501.
func classify(err error, what string, args ...any) error {
	if err == nil {
		return nil
	}
	var already *apierr.Error
	if errors.As(err, &already) {
		return err
	}
	op := fmt.Sprintf(what, args...)
	if status, ok := apiStatus(err); ok {
		answered := answerCode(err)
		if strings.Contains(err.Error(), webhookDenial) {
			return apierr.Upstream(Name, status, err, "capi: %s: Cluster API's admission webhook refused it: %s", op, err.Error()).WithAnswer(answered)
		}
		if apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err) {
			return apierr.Upstream(Name, status, err, "capi: %s: the management cluster refused clustergate's identity: %s", op, err.Error()).WithAnswer(answered)
		}
		return apierr.Upstream(Name, status, err, "capi: %s: %s", op, err.Error()).WithAnswer(answered)
	}
	switch {
	case meta.IsNoMatchError(err):
		return apierr.Upstream(Name, http.StatusNotImplemented, err,
			"capi: %s: the management cluster does not serve cluster.x-k8s.io/v1beta2 (is Cluster API v1.11 or later installed?): %s", op, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return apierr.Upstream(Name, http.StatusGatewayTimeout, err, "capi: %s: no answer within the request deadline", op)
	case errors.Is(err, context.Canceled):
		return apierr.Upstream(Name, http.StatusGatewayTimeout, err, "capi: %s: cancelled", op)
	case isUnreachable(err):
		return apierr.Upstream(Name, http.StatusServiceUnavailable, err, "capi upstream is not reachable: %s: %s", op, err.Error())
	}
	return apierr.Upstream(Name, http.StatusBadGateway, err, "capi: %s: %s", op, err.Error())
}

// classify is the package's classify, except that with impersonation on a
// 403 for a resource is the caller's own: the management cluster's RBAC
// refused the person who asked, so the facade answers 403 with the API
// server's words. A refusal to impersonate at all is clustergate's
// credential failing, and stays a 502; a webhook's refusal is about the
// request, as without impersonation.
func (a *Adapter) classify(err error, what string, args ...any) error {
	if a.cfg.Impersonate && apierrors.IsForbidden(err) && !strings.Contains(err.Error(), "cannot impersonate") &&
		!strings.Contains(err.Error(), webhookDenial) {
		return apierr.Upstream(Name, http.StatusForbidden, err, "capi: %s: %s", fmt.Sprintf(what, args...), err.Error())
	}
	return classify(err, what, args...)
}

// webhookDenial is how the API server words an admission webhook's refusal:
// `admission webhook "<name>" denied the request: <the webhook's message>`.
const webhookDenial = `admission webhook "`

// apiStatus maps an answer of the API server to the facade's status; ok is
// false when err is not such an answer.
// answerCode is the API server's own HTTP status behind err (0 when none).
func answerCode(err error) int {
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		return 0
	}
	return int(se.Status().Code)
}

func apiStatus(err error) (status int, ok bool) {
	var se apierrors.APIStatus
	if !errors.As(err, &se) {
		return 0, false
	}
	code := int(se.Status().Code)
	switch {
	case strings.Contains(err.Error(), webhookDenial) && code == http.StatusForbidden:
		// controller-runtime's webhooks deny with 403 unless they say
		// otherwise: a refusal of the request, not of clustergate.
		return http.StatusBadRequest, true
	case apierrors.IsNotFound(err):
		return http.StatusNotFound, true
	case apierrors.IsAlreadyExists(err), apierrors.IsConflict(err):
		return http.StatusConflict, true
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err):
		return http.StatusBadRequest, true
	case apierrors.IsUnauthorized(err), apierrors.IsForbidden(err):
		return http.StatusBadGateway, true
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return http.StatusGatewayTimeout, true
	case apierrors.IsServiceUnavailable(err):
		return http.StatusServiceUnavailable, true
	case code >= 400 && code < 500:
		return code, true
	}
	return http.StatusBadGateway, true
}

func isUnreachable(err error) bool {
	var ne *net.OpError
	var dns *net.DNSError
	return errors.As(err, &ne) || errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED)
}

// notFound is the facade's own 404 for an object the API server did not
// report missing itself (a label selector that matched nothing).
func notFound(format string, args ...any) error {
	return &apierr.Error{Status: http.StatusNotFound, Upstream: Name, Message: "capi: " + fmt.Sprintf(format, args...)}
}

// conflict is the facade's own 409: the cluster's state forbids the request.
func conflict(format string, args ...any) error {
	return &apierr.Error{Status: http.StatusConflict, Upstream: Name, Message: "capi: " + fmt.Sprintf(format, args...)}
}
