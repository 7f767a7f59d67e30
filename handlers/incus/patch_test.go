package incus

import (
	"net/http"
	"testing"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/apierr"
)

func TestMergeMember(t *testing.T) {
	cur := api.ClusterMemberPut{
		Config:      map[string]string{"scheduler.instance": "all", "user.keep": "1", "user.drop": "x"},
		Description: "old", Roles: []string{"database"}, Groups: []string{"default"}, FailureDomain: "rack1",
	}
	desc, groups := "new", []string{"default", "gpu"}
	patch := &gen.ClusterMemberPut{
		Description: &desc, Groups: &groups,
		Config: &map[string]string{"scheduler.instance": "manual", "user.drop": "", "user.add": "2"},
	}
	got, err := mergeMember(cur, patch)
	require.NoError(t, err)
	assert.Equal(t, api.ClusterMemberPut{
		Config:      map[string]string{"scheduler.instance": "manual", "user.keep": "1", "user.add": "2"},
		Description: "new", Roles: []string{"database"}, Groups: []string{"default", "gpu"}, FailureDomain: "rack1",
	}, got, "set fields replace, config keys merge, an empty value removes a key, the rest is kept")
}

func TestCheckIfMatch(t *testing.T) {
	v := func(s string) *string { return &s }
	assert.NoError(t, checkIfMatch(nil, "abc"))
	assert.NoError(t, checkIfMatch(v("abc"), "abc"))
	assert.NoError(t, checkIfMatch(v("*"), "abc"))
	err := checkIfMatch(v("old"), "abc")
	assert.Equal(t, http.StatusPreconditionFailed, apierr.From(err).Status)
}

func TestFacadeURL(t *testing.T) {
	assert.Equal(t, "/v1/1-0/cluster/members/a", facadeURL("/1.0/cluster/members/a"))
	assert.Equal(t, "/elsewhere", facadeURL("/elsewhere"))
}

// TestMergeMemberEveryField: a patch setting every field of the generated
// model replaces each one (roles and failure domain included, which
// TestMergeMember leaves alone).
func TestMergeMemberEveryField(t *testing.T) {
	cur := api.ClusterMemberPut{Config: map[string]string{"a": "1"}, Description: "old", Roles: []string{"database"},
		Groups: []string{"default"}, FailureDomain: "rack1"}
	v := func(s string) *string { return &s }
	patch := &gen.ClusterMemberPut{Config: &map[string]string{"b": "2"}, Description: v("new"), Roles: &[]string{},
		Groups: &[]string{"gpu"}, FailureDomain: v("rack2")}
	got, err := mergeMember(cur, patch)
	require.NoError(t, err)
	assert.Equal(t, api.ClusterMemberPut{Config: map[string]string{"a": "1", "b": "2"}, Description: "new", Roles: []string{},
		Groups: []string{"gpu"}, FailureDomain: "rack2"}, got)
	assert.Equal(t, []string{"database"}, cur.Roles, "the current value is not written through")
}
