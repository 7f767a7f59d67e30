package capi

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/clustergate/clustergate/internal/apierr"
)

func TestClassifyMapsKubernetesErrors(t *testing.T) {
	gr := schema.GroupResource{Group: "cluster.x-k8s.io", Resource: "clusters"}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused")}
	for _, tc := range []struct {
		err    error
		status int
		msg    string
	}{
		{apierrors.NewNotFound(gr, "a"), http.StatusNotFound, `capi: get x: clusters.cluster.x-k8s.io "a" not found`},
		{apierrors.NewAlreadyExists(gr, "a"), http.StatusConflict, "already exists"},
		{apierrors.NewConflict(gr, "a", fmt.Errorf("the object has been modified")), http.StatusConflict, "the object has been modified"},
		{apierrors.NewInvalid(schema.GroupKind{Group: "cluster.x-k8s.io", Kind: "Cluster"}, "a", nil), http.StatusBadRequest, "is invalid"},
		{apierrors.NewForbidden(gr, "a", fmt.Errorf("no RBAC")), http.StatusBadGateway, "refused clustergate's identity"},
		{apierrors.NewForbidden(gr, "a", fmt.Errorf(`admission webhook "validation.cluster.cluster.x-k8s.io" denied the request: spec.topology: Forbidden: nope`)),
			http.StatusBadRequest, `capi: get x: Cluster API's admission webhook refused it: clusters.cluster.x-k8s.io "a" is forbidden: admission webhook "validation.cluster.cluster.x-k8s.io" denied the request: spec.topology: Forbidden: nope`},
		{apierrors.NewUnauthorized("bad token"), http.StatusBadGateway, "refused clustergate's identity"},
		{apierrors.NewTooManyRequests("slow down", 1), http.StatusTooManyRequests, "slow down"},
		{apierrors.NewTimeoutError("etcd", 1), http.StatusGatewayTimeout, "etcd"},
		{apierrors.NewServiceUnavailable("starting"), http.StatusServiceUnavailable, "starting"},
		{apierrors.NewInternalError(fmt.Errorf("boom")), http.StatusBadGateway, "boom"},
		{&meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "cluster.x-k8s.io", Kind: "Cluster"}}, http.StatusNotImplemented, "does not serve cluster.x-k8s.io/v1beta2"},
		{context.DeadlineExceeded, http.StatusGatewayTimeout, "within the request deadline"},
		{fmt.Errorf("Get https://x: %w", refused), http.StatusServiceUnavailable, "not reachable"},
		{fmt.Errorf("something odd"), http.StatusBadGateway, "something odd"},
	} {
		e := apierr.From(classify(tc.err, "get %s", "x"))
		assert.Equal(t, tc.status, e.Status, "%v", tc.err)
		assert.Contains(t, e.Message, tc.msg)
		assert.Equal(t, Name, e.Upstream)
	}
	assert.NoError(t, classify(nil, "noop"))
	own := conflict("already mine")
	assert.Same(t, own, classify(own, "wrap"), "apierr errors pass through")
}

func TestRestConfigNeedsAKubeconfigOutsideAPod(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	_, err := New(Config{}).client()
	e := apierr.From(err)
	assert.Equal(t, http.StatusServiceUnavailable, e.Status)
	assert.Contains(t, e.Message, "set KUBECONFIG")

	_, err = New(Config{Kubeconfig: t.TempDir() + "/missing"}).client()
	assert.Contains(t, apierr.From(err).Message, "misconfigured: kubeconfig ")
	assert.Contains(t, apierr.From(err).Message, "/missing: no such file")
}

// TestClassifyKeepsTheAPIServersStatus: the breakers judge an error by the
// API server's own status; no answer is 0.
func TestClassifyKeepsTheAPIServersStatus(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused")}
	for _, tc := range []struct {
		err      error
		answered int
	}{
		{apierrors.NewInternalError(fmt.Errorf("boom")), 500},
		{apierrors.NewServiceUnavailable("starting"), 503},
		{apierrors.NewUnauthorized("bad token"), 401},
		{fmt.Errorf("Get https://x: %w", refused), 0},
		{context.DeadlineExceeded, 0},
	} {
		assert.Equal(t, tc.answered, apierr.From(classify(tc.err, "get %s", "x")).Answered, "%v", tc.err)
	}
}
