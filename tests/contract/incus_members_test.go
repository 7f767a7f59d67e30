package contract

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIncusMembers: listings, one member with its ETag, and filters.
func TestIncusMembers(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		c, _, err := env.up.GetCluster(x)
		require.NoError(t, err)
		members, err := env.up.Members(x, "")
		require.NoError(t, err)
		require.NotEmpty(t, members)
		urls, err := env.up.MemberURLs(x, "")
		require.NoError(t, err)
		var names []string
		leaders := 0
		for i, m := range members {
			names = append(names, m.ServerName)
			assert.Equal(t, "/1.0/cluster/members/"+m.ServerName, urls[i], "URLs list the members in the same order")
			assert.Equal(t, "Online", m.Status)
			assert.Equal(t, "Fully operational", m.Message)
			assert.Regexp(t, `^https://[0-9.]+:[0-9]+$`, m.URL)
			assert.True(t, m.Database)
			assert.Equal(t, []string{"default"}, m.Groups)
			assert.Equal(t, "default", m.FailureDomain)
			assert.NotEmpty(t, m.Architecture)
			assert.NotNil(t, m.Config)
			if slices.Contains(m.Roles, "database-leader") {
				leaders++
			}
		}
		assert.Equal(t, 1, leaders, "one database leader")
		assert.Contains(t, names, c.ServerName, "the server is a member")

		m, etag, err := env.up.GetMember(x, c.ServerName)
		require.NoError(t, err)
		assert.Equal(t, members[slices.Index(names, c.ServerName)], *m)
		assert.Equal(t, `"`+hashOf(t, m.Writable())+`"`, etag, "the ETag (header, quoted) is the hash of the writable member")
		_, _, err = env.up.GetMember(x, "no-such-member")
		requireError(t, err, "incus", http.StatusNotFound, "incus: Cluster member not found")

		filtered, err := env.up.Members(x, "server_name eq "+c.ServerName)
		require.NoError(t, err)
		filteredURLs, err := env.up.MemberURLs(x, "server_name eq "+c.ServerName)
		require.NoError(t, err)
		if env.caps.Filters {
			require.Len(t, filtered, 1)
			assert.Equal(t, c.ServerName, filtered[0].ServerName)
			assert.Equal(t, []string{"/1.0/cluster/members/" + c.ServerName}, filteredURLs)
		} else {
			assert.Len(t, filtered, len(members), "LXD 5.0 ignores the filter")
			assert.Equal(t, urls, filteredURLs)
		}
	})
}

// TestIncusMemberWrites: If-Match on member writes (412 on a stale ETag)
// and the checks of a member update.
func TestIncusMemberWrites(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		c, _, err := env.up.GetCluster(x)
		require.NoError(t, err)
		name := c.ServerName
		m, etag, err := env.up.GetMember(x, name)
		require.NoError(t, err)

		put := m.Writable()
		err = env.up.UpdateMember(x, name, put, "stale")
		requireError(t, err, "incus", http.StatusPreconditionFailed, "incus: ETag doesn't match: "+strings.Trim(etag, `"`)+" vs stale")

		put.Description, put.Config = "first", api.ConfigMap{"scheduler.instance": "all"}
		require.NoError(t, env.up.UpdateMember(x, name, put, etag))
		m2, etag2, err := env.up.GetMember(x, name)
		require.NoError(t, err)
		assert.Equal(t, "first", m2.Description)
		assert.Equal(t, api.ConfigMap{"scheduler.instance": "all"}, m2.Config)
		assert.NotEqual(t, etag, etag2, "a write that changes the member changes its ETag")
		err = env.up.UpdateMember(x, name, put, etag)
		requireError(t, err, "incus", http.StatusPreconditionFailed, "ETag doesn't match")
		put.Description = "unconditional"
		require.NoError(t, env.up.UpdateMember(x, name, put, ""), "no If-Match, no check")

		noDB := put
		noDB.Roles = slices.DeleteFunc(slices.Clone(put.Roles), func(r string) bool { return r == "database" })
		err = env.up.UpdateMember(x, name, noDB, "")
		requireError(t, err, "incus", http.StatusBadRequest, `incus: The "database" role cannot be dropped at this time`)
		ghostGroup := put
		ghostGroup.Groups = []string{"default", "no-such-group"}
		err = env.up.UpdateMember(x, name, ghostGroup, "")
		msg := requireError(t, err, "incus", http.StatusNotFound)
		assert.Regexp(t, `Cluster.group not found`, msg, "Incus 6.0 says Cluster_group")
		err = env.up.UpdateMember(x, "no-such-member", put, "")
		requireError(t, err, "incus", http.StatusNotFound, "incus: Cluster member not found")
	})
}

// TestIncusGroups: creating groups, duplicates, and putting a member in one.
func TestIncusGroups(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		require.NoError(t, env.up.CreateGroup(x, api.ClusterGroupsPost{Name: "gpu",
			ClusterGroupPut: api.ClusterGroupPut{Description: "GPU nodes"}}))
		err := env.up.CreateGroup(x, api.ClusterGroupsPost{Name: "gpu"})
		dupWords := `already exists|UNIQUE constraint failed` // LXD 5.0 | Incus 6.0
		assert.Regexp(t, dupWords, requireError(t, err, "incus", http.StatusConflict))
		err = env.up.CreateGroup(x, api.ClusterGroupsPost{Name: "default"})
		assert.Regexp(t, dupWords, requireError(t, err, "incus", http.StatusConflict))
		err = env.up.CreateGroup(x, api.ClusterGroupsPost{Name: ""})
		requireError(t, err, "incus", http.StatusBadRequest)

		c, _, err := env.up.GetCluster(x)
		require.NoError(t, err)
		m, etag, err := env.up.GetMember(x, c.ServerName)
		require.NoError(t, err)
		put := m.Writable()
		put.Groups = append(put.Groups, "gpu")
		require.NoError(t, env.up.UpdateMember(x, c.ServerName, put, etag))
		m, _, err = env.up.GetMember(x, c.ServerName)
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"default", "gpu"}, m.Groups)
	})
}

// TestIncusEvacuateRestore: evacuation and restoration are operations that
// finish with Success, change the member's status, and can be polled.
func TestIncusEvacuateRestore(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		c, _, err := env.up.GetCluster(x)
		require.NoError(t, err)
		name := c.ServerName
		for _, step := range []struct{ action, description, status, message string }{
			{"evacuate", "Evacuating cluster member", "Evacuated", "Unavailable due to maintenance"},
			{"restore", "Restoring cluster member", "Online", "Fully operational"},
		} {
			op, done, err := env.up.UpdateMemberState(x, name, api.ClusterMemberStatePost{Action: step.action})
			require.NoError(t, err, step.action)
			assert.True(t, done)
			assert.Equal(t, "Success", op.Status)
			assert.Equal(t, api.Success, op.StatusCode)
			assert.Equal(t, api.OperationClassTask, op.Class)
			assert.Equal(t, step.description, op.Description)
			assert.Equal(t, name, op.Location)
			polled, err := env.up.GetOperation(x, op.ID)
			require.NoError(t, err)
			assert.Equal(t, op.Status, polled.Status)
			m, _, err := env.up.GetMember(x, name)
			require.NoError(t, err)
			assert.Equal(t, step.status, m.Status, step.action)
			assert.Equal(t, step.message, m.Message, step.action)

			_, _, err = env.up.UpdateMemberState(x, name, api.ClusterMemberStatePost{Action: step.action})
			requireError(t, err, "incus", http.StatusConflict, "incus: "+step.action+" member "+name+" failed: Cluster member is already")
		}
		_, _, err = env.up.UpdateMemberState(x, name, api.ClusterMemberStatePost{Action: "dance"})
		requireError(t, err, "incus", http.StatusBadRequest, `incus: Unknown action "dance"`)
		_, _, err = env.up.UpdateMemberState(x, "no-such-member", api.ClusterMemberStatePost{Action: "evacuate"})
		requireError(t, err, "incus", http.StatusNotFound, "incus: Cluster member not found")
		_, err = env.up.GetOperation(x, "00000000-0000-0000-0000-000000000000")
		requireError(t, err, "incus", http.StatusNotFound, "incus: Operation not found")
	})
}

// TestIncusMemberState: a member's resources, where the server can say.
func TestIncusMemberState(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		c, _, err := env.up.GetCluster(x)
		require.NoError(t, err)
		st, err := env.up.GetMemberState(x, c.ServerName)
		if !env.caps.MemberState {
			requireError(t, err, "incus", http.StatusNotImplemented, `"cluster_member_state" API extension`)
			return
		}
		require.NoError(t, err)
		assert.Positive(t, st.SysInfo.TotalRAM)
		assert.LessOrEqual(t, st.SysInfo.FreeRAM, st.SysInfo.TotalRAM)
		assert.Len(t, st.SysInfo.LoadAverages, 3)
		assert.Positive(t, st.SysInfo.Processes)
		if env.caps.Pools {
			require.NotEmpty(t, st.StoragePools)
		} else {
			assert.Empty(t, st.StoragePools, "a fresh daemon has no storage pool")
		}
		for _, p := range st.StoragePools {
			assert.LessOrEqual(t, p.Space.Used, p.Space.Total)
		}
		_, err = env.up.GetMemberState(x, "no-such-member")
		requireError(t, err, "incus", http.StatusNotFound, "incus: Cluster member not found")
	})
}

// TestIncusRenameDelete: renaming and deleting members; the last member
// cannot be deleted.
func TestIncusRenameDelete(t *testing.T) {
	run(t, incusVariants, func(t *testing.T, env incusEnv) {
		x := ctx(t)
		c, _, err := env.up.GetCluster(x)
		require.NoError(t, err)
		spare := env.spare(t)
		renamed := spare + "-renamed"
		require.NoError(t, env.up.RenameMember(x, spare, api.ClusterMemberPost{ServerName: renamed}))
		_, _, err = env.up.GetMember(x, spare)
		requireError(t, err, "incus", http.StatusNotFound, "incus: Cluster member not found")
		m, _, err := env.up.GetMember(x, renamed)
		require.NoError(t, err)
		assert.Equal(t, renamed, m.ServerName)

		err = env.up.RenameMember(x, renamed, api.ClusterMemberPost{ServerName: c.ServerName})
		requireError(t, err, "incus", http.StatusConflict)
		err = env.up.RenameMember(x, "no-such-member", api.ClusterMemberPost{ServerName: "whatever"})
		// Incus: "Cluster member not found"; LXD 5.0: "expected to update
		// one row, not 0" under a 500. Both are the 404 they mean.
		assert.Regexp(t, `Cluster member not found|expected to update one row, not 0`, requireError(t, err, "incus", http.StatusNotFound))

		require.NoError(t, env.up.DeleteMember(x, renamed))
		err = env.up.DeleteMember(x, renamed)
		requireError(t, err, "incus", http.StatusNotFound, "incus: Cluster member not found")

		members, err := env.up.Members(x, "")
		require.NoError(t, err)
		for _, m := range members {
			if m.ServerName != c.ServerName {
				require.NoError(t, env.up.DeleteMember(x, m.ServerName))
			}
		}
		// Incus and LXD refuse with a 500; the adapter reports the conflict
		// it is (409), with their words. Right after a member left, LXD may still try to reach it ("Unable
		// to promote remaining cluster member"): that passes, so ask again,
		// a bounded number of times.
		for i := 0; i < 20; i++ {
			err = env.up.DeleteMember(x, c.ServerName)
			if err == nil || !strings.Contains(err.Error(), "Unable to promote") {
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		requireError(t, err, "incus", http.StatusConflict, "incus: Member is the only member in the cluster")
	})
}
