package incus

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lxc/incus/v6/shared/api"
)

// MemberURLs lists the members as /1.0 URLs, filtered like Members.
func (s *Sandbox) MemberURLs(ctx context.Context, filter string) ([]string, error) {
	members, err := s.Members(ctx, filter)
	if err != nil {
		return nil, err
	}
	urls := make([]string, 0, len(members))
	for _, m := range members {
		urls = append(urls, "/1.0/cluster/members/"+m.ServerName)
	}
	return urls, nil
}

// Members lists the members in join order. filter is the subset of Incus's
// filter language that fits members: clauses "<field> eq|ne <value>" joined
// by "and", over server_name, status, url, architecture, failure_domain,
// description, message and database.
func (s *Sandbox) Members(_ context.Context, filter string) ([]api.ClusterMember, error) {
	match, err := parseFilter(filter)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.notClustered(); err != nil {
		return nil, err
	}
	out := []api.ClusterMember{}
	for _, m := range s.members {
		if match(m) {
			out = append(out, *clone(m))
		}
	}
	return out, nil
}

// GetMember returns one member and its ETag (the hash of its writable part).
func (s *Sandbox) GetMember(_ context.Context, name string) (*api.ClusterMember, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(name)
	if err != nil {
		return nil, "", err
	}
	return clone(m), etag(m.Writable()), nil
}

// UpdateMember replaces a member's writable fields, with Incus's checks:
// If-Match, the database role that only the cluster itself assigns, at
// least one existing group.
func (s *Sandbox) UpdateMember(_ context.Context, name string, put api.ClusterMemberPut, match string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(name)
	if err != nil {
		return err
	}
	if err := checkETag(match, m.Writable()); err != nil {
		return err
	}
	had, wants := slices.Contains(m.Roles, "database"), slices.Contains(put.Roles, "database")
	switch {
	case had && !wants:
		return fail(http.StatusBadRequest, "The %q role cannot be dropped at this time", "database")
	case !had && wants:
		return fail(http.StatusBadRequest, "The %q role cannot be added at this time", "database")
	case len(put.Groups) == 0:
		return fail(http.StatusBadRequest, "Cluster members need to belong to at least one group")
	}
	for _, g := range put.Groups {
		if s.group(g) == nil {
			return fail(http.StatusNotFound, "Update cluster groups: Cluster group not found")
		}
	}
	for _, g := range s.groups { // keep each group's member list in step
		g.Members = slices.DeleteFunc(g.Members, func(n string) bool { return n == name })
		if slices.Contains(put.Groups, g.Name) {
			g.Members = append(g.Members, name)
		}
	}
	m.ClusterMemberPut = clone(&api.ClusterMember{ClusterMemberPut: put}).ClusterMemberPut
	return nil
}

// RenameMember renames a member; the new name must be valid and free.
func (s *Sandbox) RenameMember(_ context.Context, name string, post api.ClusterMemberPost) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(name)
	if err != nil {
		return err
	}
	if err := checkAPIName(post.ServerName); err != nil {
		return fail(http.StatusBadRequest, "Invalid cluster member name: %v", err)
	}
	if _, err := s.member(post.ServerName); err == nil {
		return fail(http.StatusConflict, "The record already exists")
	}
	for _, g := range s.groups {
		if i := slices.Index(g.Members, name); i >= 0 {
			g.Members[i] = post.ServerName
		}
	}
	if s.serverName == name {
		s.serverName = post.ServerName
	}
	m.ServerName = post.ServerName
	return nil
}

// DeleteMember removes a member. The last member cannot leave: Incus says
// so with a 500, which the adapter reports as the conflict it is (409).
func (s *Sandbox) DeleteMember(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.member(name); err != nil {
		return err
	}
	if len(s.members) == 1 {
		return fail(http.StatusConflict, "Member is the only member in the cluster")
	}
	s.members = slices.DeleteFunc(s.members, func(m *api.ClusterMember) bool { return m.ServerName == name })
	for _, g := range s.groups {
		g.Members = slices.DeleteFunc(g.Members, func(n string) bool { return n == name })
	}
	if s.serverName == name { // the sandbox now answers as the next member
		s.serverName = s.members[0].ServerName
	}
	if !slices.ContainsFunc(s.members, func(m *api.ClusterMember) bool { return slices.Contains(m.Roles, "database-leader") }) {
		s.members[0].Roles = append([]string{"database-leader"}, s.members[0].Roles...)
	}
	return nil
}

// GetMemberState returns plausible, stable resource figures for a member:
// the sandbox has the cluster_member_state extension that LXD 5.0 lacks.
func (s *Sandbox) GetMemberState(_ context.Context, name string) (*api.ClusterMemberState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(name)
	if err != nil {
		return nil, err
	}
	i := uint64(slices.Index(s.members, m))
	const gib = 1 << 30
	procs := uint16(240 + 17*i)
	if m.Status == "Evacuated" {
		procs = 180 // its instances moved away
	}
	return &api.ClusterMemberState{
		SysInfo: api.ClusterMemberSysInfo{
			Uptime: int64(s.now().Sub(s.started)/time.Second) + 86400, LoadAverages: []float64{0.21, 0.17, 0.12},
			TotalRAM: 16 * gib, FreeRAM: (9 - i) * gib, SharedRAM: gib / 4, BufferRAM: gib / 2,
			TotalSwap: 2 * gib, FreeSwap: 2 * gib, Processes: procs,
		},
		StoragePools: map[string]api.StoragePoolState{"default": {ResourcesStoragePool: api.ResourcesStoragePool{
			Space:  api.ResourcesStoragePoolSpace{Used: (12 + 3*i) * gib, Total: 100 * gib},
			Inodes: api.ResourcesStoragePoolInodes{Used: 180000 + 1000*i, Total: 6553600},
		}}},
	}, nil
}

// UpdateMemberState evacuates or restores a member and returns the finished
// operation; evacuating an evacuated member (or restoring an online one)
// fails the operation with Incus's message.
func (s *Sandbox) UpdateMemberState(_ context.Context, name string, post api.ClusterMemberStatePost) (*api.Operation, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(name)
	if err != nil {
		return nil, false, err
	}
	what := post.Action + " member " + name
	switch post.Action {
	case "evacuate":
		if m.Status == "Evacuated" {
			return nil, false, failedOp(what, "Cluster member is already evacuated")
		}
		m.Status, m.Message = "Evacuated", "Unavailable due to maintenance"
		return s.finishedOp("Evacuating cluster member", name, nil), true, nil
	case "restore":
		if m.Status != "Evacuated" {
			return nil, false, failedOp(what, "Cluster member is already restored")
		}
		m.Status, m.Message = "Online", "Fully operational"
		return s.finishedOp("Restoring cluster member", name, nil), true, nil
	}
	return nil, false, fail(http.StatusBadRequest, "Unknown action %q", post.Action)
}

// parseFilter compiles a member filter; an empty filter matches everything.
func parseFilter(filter string) (func(*api.ClusterMember) bool, error) {
	type clause struct {
		field, value string
		equal        bool
	}
	var clauses []clause
	for _, part := range splitAnd(filter) {
		f := strings.Fields(part)
		if len(f) < 3 || (f[1] != "eq" && f[1] != "ne") || memberField(&api.ClusterMember{}, f[0]) == nil {
			return nil, fail(http.StatusBadRequest, "Invalid filter: %q is not \"<field> eq|ne <value>\" over a member field", part)
		}
		v := strings.Join(f[2:], " ")
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		clauses = append(clauses, clause{f[0], v, f[1] == "eq"})
	}
	return func(m *api.ClusterMember) bool {
		for _, c := range clauses {
			if (*memberField(m, c.field) == c.value) != c.equal {
				return false
			}
		}
		return true
	}, nil
}

// splitAnd splits a filter on its "and" keywords.
func splitAnd(filter string) []string {
	if strings.TrimSpace(filter) == "" {
		return nil
	}
	return strings.Split(filter, " and ")
}

// memberField returns the value of a filterable field, or nil.
func memberField(m *api.ClusterMember, field string) *string {
	v, ok := map[string]string{
		"server_name": m.ServerName, "status": m.Status, "url": m.URL, "architecture": m.Architecture,
		"failure_domain": m.FailureDomain, "description": m.Description, "message": m.Message,
		"database": strconv.FormatBool(m.Database),
	}[field]
	if !ok {
		return nil
	}
	return &v
}
