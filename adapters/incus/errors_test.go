package incus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"

	"github.com/clustergate/clustergate/internal/apierr"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		msg    string
	}{
		{"upstream 404 kept", api.StatusErrorf(404, "Cluster member not found"), 404, "incus: Cluster member not found"},
		{"upstream 412 kept", api.StatusErrorf(412, "ETag doesn't match"), 412, "incus: ETag doesn't match"},
		{"upstream 500 is a bad gateway", api.StatusErrorf(500, "database is locked"), 502, "incus: database is locked"},
		{"upstream 500 for a duplicate is a conflict", api.StatusErrorf(500, "This cluster group already exists"), 409, "incus: This cluster group already exists"},
		{"upstream 500 on a standalone server is a conflict", api.StatusErrorf(500, "Server is not clustered"), 409, "incus: Server is not clustered"},
		{"upstream 500 for a missing thing is a 404", api.StatusErrorf(500, "Member not found"), 404, "incus: Member not found"},
		// Words seen from Incus 6.0.4 and LXD 5.0.2 (tests/contract checks
		// them against the real daemons).
		{"join token for a member's name", api.StatusErrorf(500, "The cluster already has a member with name: m1"), 409, "incus: The cluster already has a member with name: m1"},
		{"last member", api.StatusErrorf(500, "Member is the only member in the cluster"), 409, "incus: Member is the only member in the cluster"},
		{"incus duplicate group", api.StatusErrorf(500, `Failed to create "cluster_groups" entry: UNIQUE constraint failed: cluster_groups.name`), 409,
			`incus: Failed to create "cluster_groups" entry: UNIQUE constraint failed: cluster_groups.name`},
		{"group in use", api.StatusErrorf(500, "Only empty cluster groups can be removed"), 409, "incus: Only empty cluster groups can be removed"},
		{"default group", api.StatusErrorf(403, "The 'default' cluster group cannot be deleted"), 409, "incus: The 'default' cluster group cannot be deleted"},
		{"lxd rename of an unknown member", api.StatusErrorf(500, "expected to update one row, not 0"), 404, "incus: expected to update one row, not 0"},
		{"lxd delete of an unknown group", api.StatusErrorf(500, "Query deleted 0 rows instead of 1"), 404, "incus: Query deleted 0 rows instead of 1"},
		{"clustergate's credential refused", api.StatusErrorf(403, "not authorized"), 502, refusedCredential},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), 504, "incus did not answer get cluster within the request deadline"},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, 503, "incus upstream is not reachable: dial: connection refused"},
		{"missing extension", errors.New(`The server is missing the required "cluster_member_state" API extension`), 501,
			`incus: The server is missing the required "cluster_member_state" API extension`},
		{"anything else", errors.New("unexpected EOF"), 502, "incus get cluster failed: unexpected EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := apierr.From(classify("get cluster", c.err))
			assert.Equal(t, c.status, e.Status)
			assert.Equal(t, c.msg, e.Message)
			assert.Equal(t, Name, e.Upstream)
		})
	}
	assert.NoError(t, classify("x", nil))
}

func TestMissingSocketIsA503ThatSaysHowToConfigure(t *testing.T) {
	a := New(Config{Socket: t.TempDir() + "/absent.socket"})
	_, _, err := a.GetCluster(context.Background())
	e := apierr.From(err)
	assert.Equal(t, http.StatusServiceUnavailable, e.Status)
	assert.Contains(t, e.Message, "absent.socket: no such file")
	assert.Contains(t, e.Message, "set INCUS_SOCKET")
}

// TestClassifyKeepsWhetherIncusAnswered: the breakers judge an error by the
// daemon's own status (apierr.Error.Answered), not the facade's.
func TestClassifyKeepsWhetherIncusAnswered(t *testing.T) {
	for err, answered := range map[error]int{
		api.StatusErrorf(500, "Unable to promote remaining cluster member to leader"): 500,
		api.StatusErrorf(404, "Cluster member not found"):                             404,
		api.StatusErrorf(403, "not authorized"):                                       403,
		api.StatusErrorf(503, "Daemon is shutting down"):                              503,
		fmt.Errorf("get: %w", context.DeadlineExceeded):                               0,
		&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}:                           0,
		errors.New("unexpected EOF"):                                                  0,
	} {
		assert.Equal(t, answered, apierr.From(classify("get cluster", err)).Answered, "%v", err)
	}
}
