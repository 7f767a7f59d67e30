package incus

import (
	"context"
	"net/url"

	"github.com/lxc/incus/v6/shared/api"
)

// GetMember returns one member and its ETag.
func (a *Adapter) GetMember(ctx context.Context, name string) (*api.ClusterMember, string, error) {
	var m api.ClusterMember
	etag, err := get(ctx, a, "clustering", "/1.0/cluster/members/"+segment(name), &m)
	if err != nil {
		return nil, "", classifyf(err, "get member %q", name)
	}
	return &m, etag, nil
}

// UpdateMember replaces a member's writable fields; a non-empty etag makes
// the upstream refuse (412) when the member changed since it was read.
func (a *Adapter) UpdateMember(ctx context.Context, name string, put api.ClusterMemberPut, etag string) error {
	s, err := a.server(ctx)
	if err != nil {
		return err
	}
	return classifyf(s.UpdateClusterMember(segment(name), put, etag), "update member %q", name)
}

// RenameMember renames a member.
func (a *Adapter) RenameMember(ctx context.Context, name string, post api.ClusterMemberPost) error {
	s, err := a.server(ctx)
	if err != nil {
		return err
	}
	return classifyf(s.RenameClusterMember(segment(name), post), "rename member %q", name)
}

// DeleteMember removes a member from the cluster (never forced: forcing
// skips the upstream's own safety checks).
func (a *Adapter) DeleteMember(ctx context.Context, name string) error {
	s, err := a.server(ctx)
	if err != nil {
		return err
	}
	return classifyf(s.DeleteClusterMember(segment(name), false), "delete member %q", name)
}

// GetMemberState returns a member's resource state.
func (a *Adapter) GetMemberState(ctx context.Context, name string) (*api.ClusterMemberState, error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, err
	}
	st, _, err := s.GetClusterMemberState(segment(name))
	return st, classifyf(err, "get state of member %q", name)
}

// UpdateMemberState evacuates or restores a member (async upstream).
func (a *Adapter) UpdateMemberState(ctx context.Context, name string, post api.ClusterMemberStatePost) (*api.Operation, bool, error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, false, err
	}
	op, err := s.UpdateClusterMemberState(segment(name), post)
	return a.await(ctx, post.Action+" member "+name, s, op, err)
}

// segment escapes a name for one path segment. The Incus client formats
// names into its URLs unescaped and parses the result, so a name holding
// "?force=1" or "/" would otherwise change the request (a forced delete).
func segment(name string) string { return url.PathEscape(name) }
