package incus

import (
	"context"

	"github.com/lxc/incus/v6/shared/api"
)

// CreateGroup creates a cluster group.
func (a *Adapter) CreateGroup(ctx context.Context, group api.ClusterGroupsPost) error {
	s, err := a.server(ctx)
	if err != nil {
		return err
	}
	return classifyf(s.CreateClusterGroup(group), "create cluster group %q", group.Name)
}

// Groups lists the cluster groups with their details.
func (a *Adapter) Groups(ctx context.Context) ([]api.ClusterGroup, error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := s.GetClusterGroups()
	return groups, classify("list cluster groups", err)
}

// GetGroup returns one cluster group and its ETag.
func (a *Adapter) GetGroup(ctx context.Context, name string) (*api.ClusterGroup, string, error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, "", err
	}
	g, etag, err := s.GetClusterGroup(segment(name))
	return g, etag, classifyf(err, "get cluster group %q", name)
}

// UpdateGroup replaces a group's writable fields. Incus 6.0 and LXD 5.0
// accept any ETag on this route: the facade checks If-Match itself.
func (a *Adapter) UpdateGroup(ctx context.Context, name string, put api.ClusterGroupPut, etag string) error {
	s, err := a.server(ctx)
	if err != nil {
		return err
	}
	return classifyf(s.UpdateClusterGroup(segment(name), put, etag), "update cluster group %q", name)
}

// DeleteGroup removes an empty cluster group.
func (a *Adapter) DeleteGroup(ctx context.Context, name string) error {
	s, err := a.server(ctx)
	if err != nil {
		return err
	}
	return classifyf(s.DeleteClusterGroup(segment(name)), "delete cluster group %q", name)
}
