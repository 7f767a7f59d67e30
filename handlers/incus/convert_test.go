package incus

import (
	"reflect"
	"testing"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/reshape"
)

func s(v string) *string { return &v }

// TestMemberOut pins the facade member to the upstream's values, field by
// field, and checks the JSON round trip the conversion replaced agrees.
func TestMemberOut(t *testing.T) {
	m := api.ClusterMember{
		ClusterMemberPut: api.ClusterMemberPut{Roles: []string{"database"}, FailureDomain: "rack1", Description: "d",
			Config: api.ConfigMap{"scheduler.instance": "all"}, Groups: []string{"default"}},
		ServerName: "n1", URL: "https://10.0.0.1:8443", Database: true, Status: "Online", Message: "ok", Architecture: "x86_64",
	}
	yes := true
	want := gen.ClusterMember{
		Architecture: s("x86_64"), Config: &map[string]string{"scheduler.instance": "all"}, Database: &yes,
		Description: s("d"), FailureDomain: s("rack1"), Groups: &[]string{"default"}, Message: s("ok"),
		Roles: &[]string{"database"}, ServerName: s("n1"), Status: s("Online"), URL: s("https://10.0.0.1:8443"),
	}
	got := memberOut(&m)
	assert.Equal(t, want, got)
	allSet(t, reflect.ValueOf(got))

	var round gen.ClusterMember
	require.NoError(t, reshape.Into(&round, m))
	assert.Equal(t, round, got, "the typed conversion must give what the JSON round trip gives")
}

// TestMemberOutZero: nil lists and maps are absent, zero scalars present, as
// the JSON round trip gives them (null lists, "" strings).
func TestMemberOutZero(t *testing.T) {
	var m api.ClusterMember
	got := memberOut(&m)
	assert.Nil(t, got.Roles)
	assert.Nil(t, got.Groups)
	assert.Nil(t, got.Config)
	require.NotNil(t, got.Description)
	assert.Empty(t, *got.Description)
	var round gen.ClusterMember
	require.NoError(t, reshape.Into(&round, m))
	assert.Equal(t, round, got)

	assert.Equal(t, []gen.ClusterMember{}, membersOut(nil), "no members is an empty list, not null")
}

// allSet fails for a nil pointer field: a field the generated model gained
// that memberOut does not fill.
func allSet(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && f.IsNil() {
			t.Errorf("%s.%s is not converted", v.Type().Name(), v.Type().Field(i).Name)
		}
	}
}

// TestMemberPutIn: the facade body's fields land on the upstream's, absent
// ones as zero values, as the JSON round trip it replaced gives them.
func TestMemberPutIn(t *testing.T) {
	full := &gen.ClusterMemberPut{Config: &map[string]string{"scheduler.instance": "manual"}, Description: s("d"),
		FailureDomain: s("rack2"), Groups: &[]string{"default", "gpu"}, Roles: &[]string{}}
	want := api.ClusterMemberPut{Config: api.ConfigMap{"scheduler.instance": "manual"}, Description: "d",
		FailureDomain: "rack2", Groups: []string{"default", "gpu"}, Roles: []string{}}
	allSet(t, reflect.ValueOf(*full))
	for name, c := range map[string]struct {
		in   *gen.ClusterMemberPut
		want api.ClusterMemberPut
	}{
		"full":   {full, want},
		"empty":  {&gen.ClusterMemberPut{}, api.ClusterMemberPut{}},
		"absent": {nil, api.ClusterMemberPut{}},
	} {
		t.Run(name, func(t *testing.T) {
			got := memberPutIn(c.in)
			assert.Equal(t, c.want, got)
			var round api.ClusterMemberPut
			require.NoError(t, reshape.Into(&round, c.in))
			assert.Equal(t, round, got, "the typed conversion must give what the JSON round trip gives")
		})
	}
}
