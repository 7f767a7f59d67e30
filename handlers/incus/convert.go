package incus

import (
	"github.com/lxc/incus/v6/shared/api"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/ptr"
)

// The conversions below are the hot paths' replacement for reshape.Into (a
// JSON encode and decode per answer). Each gives exactly what the round
// trip gives: every scalar present, a nil slice or map absent (it encodes
// as null). TestConvertMatchesReshape holds them to that for every field of
// the generated model, so a field added by a regeneration fails the test
// until it is converted here.

// memberOut converts an upstream member to the facade model.
func memberOut(m *api.ClusterMember) gen.ClusterMember {
	return gen.ClusterMember{
		Architecture:  &m.Architecture,
		Config:        mapOrNil(m.Config),
		Database:      &m.Database,
		Description:   &m.Description,
		FailureDomain: &m.FailureDomain,
		Groups:        sliceOrNil(m.Groups),
		Message:       &m.Message,
		Roles:         sliceOrNil(m.Roles),
		ServerName:    &m.ServerName,
		Status:        &m.Status,
		URL:           &m.URL,
	}
}

// membersOut converts a member list; an empty list stays an empty list.
func membersOut(ms []api.ClusterMember) []gen.ClusterMember {
	out := make([]gen.ClusterMember, len(ms))
	for i := range ms {
		out[i] = memberOut(&ms[i])
	}
	return out
}

func sliceOrNil(s []string) *[]string {
	if s == nil {
		return nil
	}
	return &s
}

func mapOrNil(m map[string]string) *map[string]string {
	if m == nil {
		return nil
	}
	return &m
}

// memberPutIn converts a facade member body to the upstream's writable
// fields; an absent field is the zero value, as the JSON round trip gives.
func memberPutIn(b *gen.ClusterMemberPut) api.ClusterMemberPut {
	if b == nil {
		return api.ClusterMemberPut{}
	}
	return api.ClusterMemberPut{
		Roles:         ptr.Deref(b.Roles),
		FailureDomain: ptr.Deref(b.FailureDomain),
		Description:   ptr.Deref(b.Description),
		Config:        api.ConfigMap(ptr.Deref(b.Config)),
		Groups:        ptr.Deref(b.Groups),
	}
}
