package incus

import (
	"context"
	"net/http"
	"slices"

	"github.com/lxc/incus/v6/shared/api"
)

// Groups lists the cluster groups in creation order.
func (s *Sandbox) Groups(_ context.Context) ([]api.ClusterGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.notClustered(); err != nil {
		return nil, err
	}
	out := make([]api.ClusterGroup, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, cloneGroup(g))
	}
	return out, nil
}

// GetGroup returns one group and its ETag (the hash of its writable part).
func (s *Sandbox) GetGroup(_ context.Context, name string) (*api.ClusterGroup, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroup(name)
	if err != nil {
		return nil, "", err
	}
	cp := cloneGroup(g)
	return &cp, etag(cp.Writable()), nil
}

// UpdateGroup replaces a group's writable fields. Like Incus 6.0 and LXD
// 5.0 it does not check the ETag on this route. Members it lists join the
// group; members it leaves out leave it, unless it is their only group.
func (s *Sandbox) UpdateGroup(_ context.Context, name string, put api.ClusterGroupPut, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroup(name)
	if err != nil {
		return err
	}
	for _, m := range put.Members {
		if _, err := s.member(m); err != nil {
			return fail(http.StatusNotFound, "Failed to get node info: Cluster member not found")
		}
	}
	for _, m := range s.members {
		in, wants := slices.Contains(m.Groups, name), slices.Contains(put.Members, m.ServerName)
		if in && !wants && len(m.Groups) == 1 {
			return fail(http.StatusBadRequest, "Cluster members need to belong to at least one group")
		}
	}
	for _, m := range s.members {
		m.Groups = slices.DeleteFunc(m.Groups, func(n string) bool { return n == name })
		if slices.Contains(put.Members, m.ServerName) {
			m.Groups = append(m.Groups, name)
		}
	}
	g.Description, g.Config = put.Description, cloneConfig(put.Config)
	g.Members = slices.Clone(put.Members)
	if g.Members == nil {
		g.Members = []string{}
	}
	return nil
}

// DeleteGroup removes an empty group other than "default", with the words
// (and, through the adapter, the statuses) of the real daemons.
func (s *Sandbox) DeleteGroup(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroup(name)
	if err != nil {
		return err
	}
	switch {
	case name == "default":
		return fail(http.StatusConflict, "The 'default' cluster group cannot be deleted")
	case len(g.Members) > 0:
		return fail(http.StatusConflict, "Only empty cluster groups can be removed")
	}
	s.groups = slices.DeleteFunc(s.groups, func(x *api.ClusterGroup) bool { return x.Name == name })
	return nil
}

// existingGroup returns the named group or Incus's 404.
func (s *Sandbox) existingGroup(name string) (*api.ClusterGroup, error) {
	if err := s.notClustered(); err != nil {
		return nil, err
	}
	if g := s.group(name); g != nil {
		return g, nil
	}
	return nil, fail(http.StatusNotFound, "Cluster group not found")
}

func cloneGroup(g *api.ClusterGroup) api.ClusterGroup {
	cp := *g
	cp.Members = slices.Clone(g.Members)
	if cp.Members == nil {
		cp.Members = []string{}
	}
	cp.Config = cloneConfig(g.Config)
	cp.UsedBy = slices.Clone(g.UsedBy)
	if cp.UsedBy == nil {
		cp.UsedBy = []string{}
	}
	return cp
}

func cloneConfig(c map[string]string) map[string]string {
	out := make(map[string]string, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}
