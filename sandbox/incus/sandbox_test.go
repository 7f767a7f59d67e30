package incus

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/internal/apierr"
)

var epoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func fixed() time.Time { return epoch }

// script runs the same calls on a sandbox and records every answer.
func script(t *testing.T, s *Sandbox) []any {
	x := context.Background()
	var out []any
	record := func(v any, err error) { out = append(out, v, fmt.Sprint(err)) }
	tok, err := s.CreateJoinToken(x, api.ClusterMembersPost{ServerName: "joiner"})
	record(tok, err)
	op, _, err := s.UpdateMemberState(x, "node2", api.ClusterMemberStatePost{Action: "evacuate"})
	record(op, err)
	m, etag, err := s.GetMember(x, "node2")
	record(m, err)
	record(etag, nil)
	st, err := s.GetMemberState(x, "node2")
	record(st, err)
	c, cetag, err := s.GetCluster(x)
	record(c, err)
	record(cetag, nil)
	return out
}

// TestDeterministic: the same calls on two sandboxes with the same clock
// give the same answers, ids and secrets included.
func TestDeterministic(t *testing.T) {
	a, b := script(t, New(WithClock(fixed))), script(t, New(WithClock(fixed)))
	assert.Equal(t, a, b)
	tok := a[0].(*api.ClusterMemberJoinToken)
	assert.Equal(t, epoch.Add(3*time.Hour), tok.ExpiresAt)
	assert.Equal(t, []string{"10.0.0.1:8443", "10.0.0.2:8443", "10.0.0.3:8443"}, tok.Addresses)
}

// TestAnswersAreCopies: changing what the sandbox returned changes nothing
// inside it.
func TestAnswersAreCopies(t *testing.T) {
	s, x := New(), context.Background()
	m, etag, err := s.GetMember(x, "node1")
	require.NoError(t, err)
	m.Config["x"], m.Roles[0], m.Groups[0] = "y", "mutated", "mutated"
	again, etag2, err := s.GetMember(x, "node1")
	require.NoError(t, err)
	assert.Equal(t, etag, etag2)
	assert.Empty(t, again.Config)
	assert.Equal(t, "database-leader", again.Roles[0])
}

// TestStandaloneHasNoMembers: before bootstrap the member routes say the
// server is not clustered, as Incus does.
func TestStandaloneHasNoMembers(t *testing.T) {
	s, x := NewStandalone(), context.Background()
	_, err := s.Members(x, "")
	e := apierr.From(err)
	assert.Equal(t, http.StatusBadRequest, e.Status)
	assert.Equal(t, "incus: This server is not clustered", e.Message)
	_, err = s.CreateJoinToken(x, api.ClusterMembersPost{ServerName: "joiner"})
	assert.Equal(t, http.StatusBadRequest, apierr.From(err).Status)
}

// TestDeletingTheLeader: the next member becomes the server the sandbox
// answers as, and the database leader.
func TestDeletingTheLeader(t *testing.T) {
	s, x := New(), context.Background()
	require.NoError(t, s.DeleteMember(x, "node1"))
	c, _, err := s.GetCluster(x)
	require.NoError(t, err)
	assert.Equal(t, "node2", c.ServerName)
	m, _, err := s.GetMember(x, "node2")
	require.NoError(t, err)
	assert.Contains(t, m.Roles, "database-leader")
}

// TestFilters: the filter subset the sandbox understands, and its refusal
// of the rest.
func TestFilters(t *testing.T) {
	s, x := New(), context.Background()
	_, _, err := s.UpdateMemberState(x, "node3", api.ClusterMemberStatePost{Action: "evacuate"})
	require.NoError(t, err)
	for filter, want := range map[string][]string{
		"":                   {"/1.0/cluster/members/node1", "/1.0/cluster/members/node2", "/1.0/cluster/members/node3"},
		"status eq Online":   {"/1.0/cluster/members/node1", "/1.0/cluster/members/node2"},
		`status ne "Online"`: {"/1.0/cluster/members/node3"},
		"status eq Online and server_name eq node2": {"/1.0/cluster/members/node2"},
	} {
		got, err := s.MemberURLs(x, filter)
		require.NoError(t, err, filter)
		assert.Equal(t, want, got, filter)
	}
	_, err = s.Members(x, "shoe_size gt 3")
	assert.Equal(t, http.StatusBadRequest, apierr.From(err).Status)
}

// TestConcurrentUse: many callers at once keep the cluster consistent
// (run with -race). Every loop is bounded in count.
func TestConcurrentUse(t *testing.T) {
	s := New()
	x, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			name := DefaultMembers[g%len(DefaultMembers)]
			for i := range 50 {
				if m, etag, err := s.GetMember(x, name); err == nil {
					put := m.Writable()
					put.Description = fmt.Sprintf("writer %d/%d", g, i)
					if err := s.UpdateMember(x, name, put, etag); err != nil {
						assert.Equal(t, http.StatusPreconditionFailed, apierr.From(err).Status, "only a lost race fails")
					}
				}
				_, _, _ = s.UpdateMemberState(x, name, api.ClusterMemberStatePost{Action: []string{"evacuate", "restore"}[i%2]})
				_, err := s.CreateJoinToken(x, api.ClusterMembersPost{ServerName: fmt.Sprintf("j%d", g)})
				assert.NoError(t, err)
				_, err = s.Members(x, "status eq Online")
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	members, err := s.Members(x, "")
	require.NoError(t, err)
	assert.Len(t, members, 3)
}
