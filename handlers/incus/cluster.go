package incus

import (
	"context"

	"github.com/lxc/incus/v6/shared/api"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/ptr"
	"github.com/clustergate/clustergate/internal/reshape"
)

// Clusterget returns the cluster configuration with its ETag.
func (h *Handler) Clusterget(ctx context.Context, _ gen.ClustergetRequestObject) (gen.ClustergetResponseObject, error) {
	c, etag, err := h.up.GetCluster(ctx)
	if err != nil {
		return nil, err
	}
	var body gen.Cluster
	if err := reshape.Into(&body, c); err != nil {
		return nil, err
	}
	return gen.Clusterget200JSONResponse{Body: body, Headers: gen.Clusterget200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// Clusterput replaces the cluster configuration and waits for the upstream
// operation; 202 when it outlives the wait budget.
func (h *Handler) Clusterput(ctx context.Context, req gen.ClusterputRequestObject) (gen.ClusterputResponseObject, error) {
	var put api.ClusterPut
	if err := reshape.Into(&put, req.Body); err != nil {
		return nil, err
	}
	// LXD documents 412 for this route but ignores If-Match on it, so the
	// facade checks the ETag itself before writing, under the cluster's
	// lock so that of concurrent writers with one ETag only one passes.
	if req.Params.IfMatch != nil {
		unlock, err := h.locks.lock(ctx, "cluster")
		if err != nil {
			return nil, err
		}
		defer unlock()
		_, etag, err := h.up.GetCluster(ctx)
		if err != nil {
			return nil, err
		}
		if err := checkIfMatch(req.Params.IfMatch, etag); err != nil {
			return nil, err
		}
	}
	op, done, err := h.up.UpdateCluster(ctx, put, ptr.Deref(req.Params.IfMatch))
	if err != nil {
		return nil, err
	}
	out, err := asOperation(op)
	if err != nil || !done {
		return gen.Clusterput202JSONResponse(out), err
	}
	return gen.Clusterput200JSONResponse(out), nil
}

// Clusteringupdatecert replaces the cluster certificate and key.
func (h *Handler) Clusteringupdatecert(ctx context.Context, req gen.ClusteringupdatecertRequestObject) (gen.ClusteringupdatecertResponseObject, error) {
	var put api.ClusterCertificatePut
	if err := reshape.Into(&put, req.Body); err != nil {
		return nil, err
	}
	if err := h.up.UpdateCertificate(ctx, put, ""); err != nil {
		return nil, err
	}
	return gen.Clusteringupdatecert204Response{}, nil
}

// Clustermemberspost requests a join token for a new member.
func (h *Handler) Clustermemberspost(ctx context.Context, req gen.ClustermemberspostRequestObject) (gen.ClustermemberspostResponseObject, error) {
	var post api.ClusterMembersPost
	if err := reshape.Into(&post, req.Body); err != nil {
		return nil, err
	}
	tok, err := h.up.CreateJoinToken(ctx, post)
	if err != nil {
		return nil, err
	}
	var out gen.JoinToken
	if err := reshape.Into(&out, tok); err != nil {
		return nil, err
	}
	out.Token = tok.String()
	return gen.Clustermemberspost200JSONResponse(out), nil
}

// Operationget returns an upstream background operation.
func (h *Handler) Operationget(ctx context.Context, req gen.OperationgetRequestObject) (gen.OperationgetResponseObject, error) {
	op, err := h.up.GetOperation(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	out, err := asOperation(op)
	return gen.Operationget200JSONResponse(out), err
}
