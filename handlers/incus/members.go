package incus

import (
	"context"

	"github.com/lxc/incus/v6/shared/api"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/ptr"
	"github.com/clustergate/clustergate/internal/reshape"
)

// Clustermembersget lists the members' URLs on the facade.
func (h *Handler) Clustermembersget(ctx context.Context, req gen.ClustermembersgetRequestObject) (gen.ClustermembersgetResponseObject, error) {
	urls, err := h.up.MemberURLs(ctx, ptr.Deref(req.Params.Filter))
	if err != nil {
		return nil, err
	}
	out := make(gen.Clustermembersget200JSONResponse, 0, len(urls))
	for _, u := range urls {
		out = append(out, facadeURL(u))
	}
	return out, nil
}

// Clustermembersgetrecursion1 lists the members with their details.
func (h *Handler) Clustermembersgetrecursion1(ctx context.Context, req gen.Clustermembersgetrecursion1RequestObject) (gen.Clustermembersgetrecursion1ResponseObject, error) {
	members, err := h.up.Members(ctx, ptr.Deref(req.Params.Filter))
	if err != nil {
		return nil, err
	}
	out := gen.Clustermembersgetrecursion1200JSONResponse{}
	return out, reshape.Into(&out, members)
}

// Clustermemberget returns one member with its ETag.
func (h *Handler) Clustermemberget(ctx context.Context, req gen.ClustermembergetRequestObject) (gen.ClustermembergetResponseObject, error) {
	m, etag, err := h.up.GetMember(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	var body gen.ClusterMember
	if err := reshape.Into(&body, m); err != nil {
		return nil, err
	}
	return gen.Clustermemberget200JSONResponse{Body: body, Headers: gen.Clustermemberget200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// Clustermemberput replaces a member's writable fields.
func (h *Handler) Clustermemberput(ctx context.Context, req gen.ClustermemberputRequestObject) (gen.ClustermemberputResponseObject, error) {
	var put api.ClusterMemberPut
	if err := reshape.Into(&put, req.Body); err != nil {
		return nil, err
	}
	if err := h.up.UpdateMember(ctx, req.Name, put, ptr.Deref(req.Params.IfMatch)); err != nil {
		return nil, err
	}
	return gen.Clustermemberput204Response{}, nil
}

// Clustermemberpatch merges the given fields onto the current member and
// writes it back with the ETag it read, so a concurrent change is refused
// (412) rather than overwritten.
func (h *Handler) Clustermemberpatch(ctx context.Context, req gen.ClustermemberpatchRequestObject) (gen.ClustermemberpatchResponseObject, error) {
	cur, etag, err := h.up.GetMember(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	if err := checkIfMatch(req.Params.IfMatch, etag); err != nil {
		return nil, err
	}
	put, err := mergeMember(cur.Writable(), req.Body)
	if err != nil {
		return nil, err
	}
	if err := h.up.UpdateMember(ctx, req.Name, put, etag); err != nil {
		return nil, err
	}
	return gen.Clustermemberpatch204Response{}, nil
}

// Clustermemberpost renames a member.
func (h *Handler) Clustermemberpost(ctx context.Context, req gen.ClustermemberpostRequestObject) (gen.ClustermemberpostResponseObject, error) {
	var post api.ClusterMemberPost
	if err := reshape.Into(&post, req.Body); err != nil {
		return nil, err
	}
	if err := h.up.RenameMember(ctx, req.Name, post); err != nil {
		return nil, err
	}
	return gen.Clustermemberpost204Response{}, nil
}

// Clustermemberdelete removes a member from the cluster.
func (h *Handler) Clustermemberdelete(ctx context.Context, req gen.ClustermemberdeleteRequestObject) (gen.ClustermemberdeleteResponseObject, error) {
	if err := h.up.DeleteMember(ctx, req.Name); err != nil {
		return nil, err
	}
	return gen.Clustermemberdelete204Response{}, nil
}

// Clustermemberstateget returns a member's resource state.
func (h *Handler) Clustermemberstateget(ctx context.Context, req gen.ClustermemberstategetRequestObject) (gen.ClustermemberstategetResponseObject, error) {
	st, err := h.up.GetMemberState(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	var out gen.Clustermemberstateget200JSONResponse
	return out, reshape.Into(&out, st)
}

// Clustermemberstatepost evacuates or restores a member and waits for it;
// 202 when it outlives the wait budget.
func (h *Handler) Clustermemberstatepost(ctx context.Context, req gen.ClustermemberstatepostRequestObject) (gen.ClustermemberstatepostResponseObject, error) {
	var post api.ClusterMemberStatePost
	if err := reshape.Into(&post, req.Body); err != nil {
		return nil, err
	}
	op, done, err := h.up.UpdateMemberState(ctx, req.Name, post)
	if err != nil {
		return nil, err
	}
	out, err := asOperation(op)
	if err != nil || !done {
		return gen.Clustermemberstatepost202JSONResponse(out), err
	}
	return gen.Clustermemberstatepost200JSONResponse(out), nil
}
