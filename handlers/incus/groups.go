package incus

import (
	"context"

	"github.com/lxc/incus/v6/shared/api"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/ptr"
	"github.com/clustergate/clustergate/internal/reshape"
)

// Clustergroupspost creates a cluster group and answers 201 with the group
// and where the facade serves it.
func (h *Handler) Clustergroupspost(ctx context.Context, req gen.ClustergroupspostRequestObject) (gen.ClustergroupspostResponseObject, error) {
	var group api.ClusterGroupsPost
	if err := reshape.Into(&group, req.Body); err != nil {
		return nil, err
	}
	if err := h.up.CreateGroup(ctx, group); err != nil {
		return nil, err
	}
	g, etag, err := h.up.GetGroup(ctx, group.Name)
	if err != nil {
		return nil, err
	}
	var body gen.ClusterGroup
	if err := reshape.Into(&body, g); err != nil {
		return nil, err
	}
	loc := groupURL(group.Name)
	return gen.Clustergroupspost201JSONResponse{Body: body,
		Headers: gen.Clustergroupspost201ResponseHeaders{ETag: ptr.NonZero(etag), Location: &loc}}, nil
}

// Clustergroupsget lists the cluster groups with their details.
func (h *Handler) Clustergroupsget(ctx context.Context, _ gen.ClustergroupsgetRequestObject) (gen.ClustergroupsgetResponseObject, error) {
	groups, err := h.up.Groups(ctx)
	if err != nil {
		return nil, err
	}
	out := gen.Clustergroupsget200JSONResponse{}
	return out, reshape.Into(&out, groups)
}

// Clustergroupget returns one cluster group with its ETag.
func (h *Handler) Clustergroupget(ctx context.Context, req gen.ClustergroupgetRequestObject) (gen.ClustergroupgetResponseObject, error) {
	g, etag, err := h.up.GetGroup(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	var body gen.ClusterGroup
	if err := reshape.Into(&body, g); err != nil {
		return nil, err
	}
	return gen.Clustergroupget200JSONResponse{Body: body, Headers: gen.Clustergroupget200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// Clustergroupput replaces a group's writable fields and answers with the
// group as it now is. The upstreams accept any ETag on this route, so the
// facade's own If-Match check under the group's lock is what holds.
func (h *Handler) Clustergroupput(ctx context.Context, req gen.ClustergroupputRequestObject) (gen.ClustergroupputResponseObject, error) {
	var put api.ClusterGroupPut
	if err := reshape.Into(&put, req.Body); err != nil {
		return nil, err
	}
	replace := func(api.ClusterGroupPut) (api.ClusterGroupPut, error) { return put, nil }
	g, etag, err := h.writeGroup(ctx, req.Name, req.Params.IfMatch, replace, groupKept(req.Body, false), false)
	if err != nil {
		return nil, err
	}
	var body gen.ClusterGroup
	if err := reshape.Into(&body, g); err != nil {
		return nil, err
	}
	return gen.Clustergroupput200JSONResponse{Body: body, Headers: gen.Clustergroupput200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// Clustergrouppatch merges the given fields onto the group (config keys
// merge, "" removes one) and answers with the group as it now is.
func (h *Handler) Clustergrouppatch(ctx context.Context, req gen.ClustergrouppatchRequestObject) (gen.ClustergrouppatchResponseObject, error) {
	merge := func(cur api.ClusterGroupPut) (api.ClusterGroupPut, error) { return mergeGroup(cur, req.Body) }
	g, etag, err := h.writeGroup(ctx, req.Name, req.Params.IfMatch, merge, groupKept(req.Body, true), true)
	if err != nil {
		return nil, err
	}
	var body gen.ClusterGroup
	if err := reshape.Into(&body, g); err != nil {
		return nil, err
	}
	return gen.Clustergrouppatch200JSONResponse{Body: body, Headers: gen.Clustergrouppatch200ResponseHeaders{ETag: ptr.NonZero(etag)}}, nil
}

// Clustergroupdelete removes an empty cluster group.
func (h *Handler) Clustergroupdelete(ctx context.Context, req gen.ClustergroupdeleteRequestObject) (gen.ClustergroupdeleteResponseObject, error) {
	if err := h.up.DeleteGroup(ctx, req.Name); err != nil {
		return nil, err
	}
	return gen.Clustergroupdelete204Response{}, nil
}

// writeGroup runs a group write under the group's lock.
func (h *Handler) writeGroup(ctx context.Context, name string, ifMatch *string,
	build func(api.ClusterGroupPut) (api.ClusterGroupPut, error), kept func(api.ClusterGroupPut) string, merge bool,
) (*api.ClusterGroup, string, error) {
	unlock, err := h.locks.lock(ctx, "group "+name)
	if err != nil {
		return nil, "", err
	}
	defer unlock()
	return readMergeWrite[api.ClusterGroupPut, api.ClusterGroup]{
		what: "cluster group " + name, ifMatch: ifMatch, build: build, kept: kept, reapply: merge,
		read:     func(ctx context.Context) (*api.ClusterGroup, string, error) { return h.up.GetGroup(ctx, name) },
		writable: func(g *api.ClusterGroup) api.ClusterGroupPut { return g.Writable() },
		// No ETag upstream: Incus 6.0 and LXD 5.0 ignore it on this route,
		// and later Incus checks it against another value than the one its
		// GET returns. The lock and the check against the read stand in.
		write: func(ctx context.Context, v api.ClusterGroupPut, _ string) error {
			return h.up.UpdateGroup(ctx, name, v, "")
		},
	}.run(ctx)
}
