package incus

import (
	"context"
	"net/url"

	incusclient "github.com/lxc/incus/v6/client"
	"github.com/lxc/incus/v6/shared/api"
)

// GetCluster returns the cluster configuration and its ETag.
func (a *Adapter) GetCluster(ctx context.Context) (*api.Cluster, string, error) {
	var c api.Cluster
	etag, err := get(ctx, a, "clustering", "/1.0/cluster", &c)
	if err != nil {
		return nil, "", classify("get cluster", err)
	}
	return &c, etag, nil
}

// UpdateCluster replaces the cluster configuration (async upstream). done is
// false when the operation outlived the wait budget.
func (a *Adapter) UpdateCluster(ctx context.Context, put api.ClusterPut, etag string) (op *api.Operation, done bool, err error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, false, err
	}
	started, err := s.UpdateCluster(put, etag)
	return a.await(ctx, "update cluster", s, started, err)
}

// UpdateCertificate replaces the cluster certificate and key.
func (a *Adapter) UpdateCertificate(ctx context.Context, put api.ClusterCertificatePut, etag string) error {
	s, err := a.server(ctx)
	if err != nil {
		return err
	}
	return classify("update cluster certificate", s.UpdateClusterCertificate(put, etag))
}

// MemberURLs lists the members as upstream URLs, optionally filtered.
func (a *Adapter) MemberURLs(ctx context.Context, filter string) ([]string, error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, err
	}
	path := "/1.0/cluster/members"
	if filter != "" {
		path += "?filter=" + url.QueryEscape(filter)
	}
	var urls []string
	resp, _, err := s.RawQuery("GET", path, nil, "")
	if err == nil {
		err = resp.MetadataAsStruct(&urls)
	}
	return urls, classify("list cluster members", err)
}

// Members lists the members with their details, optionally filtered.
func (a *Adapter) Members(ctx context.Context, filter string) ([]api.ClusterMember, error) {
	members := []api.ClusterMember{}
	var err error
	if filter == "" {
		_, err = get(ctx, a, "clustering", "/1.0/cluster/members?recursion=1", &members)
	} else {
		var s incusclient.InstanceServer
		if s, err = a.server(ctx); err != nil {
			return nil, err
		}
		members, err = s.GetClusterMembersWithFilter([]string{filter})
	}
	return members, classify("list cluster members", err)
}

// CreateJoinToken asks for a join token for a new member. The upstream
// operation stays running until the token is used or expires, so it is read,
// not awaited.
func (a *Adapter) CreateJoinToken(ctx context.Context, req api.ClusterMembersPost) (*api.ClusterMemberJoinToken, error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, err
	}
	op, err := s.CreateClusterMember(req)
	if err != nil {
		return nil, classifyf(err, "request join token for %q", req.ServerName)
	}
	meta := op.Get()
	tok, err := meta.ToClusterJoinToken()
	return tok, classifyf(err, "read join token for %q", req.ServerName)
}

// GetOperation returns an upstream operation by id.
func (a *Adapter) GetOperation(ctx context.Context, id string) (*api.Operation, error) {
	s, err := a.server(ctx)
	if err != nil {
		return nil, err
	}
	op, _, err := s.GetOperation(segment(id))
	return op, classifyf(err, "get operation %q", id)
}
