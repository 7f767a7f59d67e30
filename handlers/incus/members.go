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
	return gen.Clustermembersgetrecursion1200JSONResponse(membersOut(members)), nil
}

// Clustermemberget returns one member with its ETag.
func (h *Handler) Clustermemberget(ctx context.Context, req gen.ClustermembergetRequestObject) (gen.ClustermembergetResponseObject, error) {
	m, etag, err := h.up.GetMember(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	body := memberOut(m)
	return gen.Clustermemberget200JSONResponse{Body: body, Headers: gen.Clustermemberget200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// Clustermemberput replaces a member's writable fields and answers with the
// member as it now is.
func (h *Handler) Clustermemberput(ctx context.Context, req gen.ClustermemberputRequestObject) (gen.ClustermemberputResponseObject, error) {
	put := memberPutIn(req.Body)
	replace := func(api.ClusterMemberPut) (api.ClusterMemberPut, error) { return put, nil }
	m, etag, err := h.writeMember(ctx, req.Name, req.Params.IfMatch, replace, memberKept(req.Body, false), false)
	if err != nil {
		return nil, err
	}
	body := memberOut(m)
	return gen.Clustermemberput200JSONResponse{Body: body, Headers: gen.Clustermemberput200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// Clustermemberpatch merges the given fields onto the current member and
// answers with the member as it now is (see readMergeWrite: serialized,
// retried without If-Match, verified).
func (h *Handler) Clustermemberpatch(ctx context.Context, req gen.ClustermemberpatchRequestObject) (gen.ClustermemberpatchResponseObject, error) {
	merge := func(cur api.ClusterMemberPut) (api.ClusterMemberPut, error) { return mergeMember(cur, req.Body) }
	m, etag, err := h.writeMember(ctx, req.Name, req.Params.IfMatch, merge, memberKept(req.Body, true), true)
	if err != nil {
		return nil, err
	}
	body := memberOut(m)
	return gen.Clustermemberpatch200JSONResponse{Body: body, Headers: gen.Clustermemberpatch200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// writeMember runs a member write under the member's lock.
func (h *Handler) writeMember(ctx context.Context, name string, ifMatch *string,
	build func(api.ClusterMemberPut) (api.ClusterMemberPut, error), kept func(api.ClusterMemberPut) string, merge bool,
) (*api.ClusterMember, string, error) {
	unlock, err := h.locks.lock(ctx, "member "+name)
	if err != nil {
		return nil, "", err
	}
	defer unlock()
	return readMergeWrite[api.ClusterMemberPut, api.ClusterMember]{
		what: "member " + name, ifMatch: ifMatch, build: build, kept: kept, reapply: merge,
		read:     func(ctx context.Context) (*api.ClusterMember, string, error) { return h.up.GetMember(ctx, name) },
		writable: func(m *api.ClusterMember) api.ClusterMemberPut { return m.Writable() },
		write: func(ctx context.Context, v api.ClusterMemberPut, etag string) error {
			return h.up.UpdateMember(ctx, name, v, etag)
		},
	}.run(ctx)
}

// Clustermemberpost renames a member and answers with the member at its new
// name and where the facade serves it.
func (h *Handler) Clustermemberpost(ctx context.Context, req gen.ClustermemberpostRequestObject) (gen.ClustermemberpostResponseObject, error) {
	var post api.ClusterMemberPost
	if err := reshape.Into(&post, req.Body); err != nil {
		return nil, err
	}
	unlock, err := h.locks.lockAll(ctx, "member "+req.Name, "member "+post.ServerName)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := h.up.RenameMember(ctx, req.Name, post); err != nil {
		return nil, err
	}
	m, etag, err := h.up.GetMember(ctx, post.ServerName)
	if err != nil {
		return nil, err
	}
	body := memberOut(m)
	loc := memberURL(post.ServerName)
	return gen.Clustermemberpost200JSONResponse{Body: body,
		Headers: gen.Clustermemberpost200ResponseHeaders{ETag: ptr.NonZero(etag), Location: &loc}}, nil
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
