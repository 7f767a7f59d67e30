package incus

import (
	"maps"
	"slices"
	"strings"

	"github.com/lxc/incus/v6/shared/api"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
)

// The kept checks compare a read-back with what the caller asked for, field
// by field, and only the fields the caller named: the upstream changes
// others on its own (a member's database roles move between members).

// memberKept names the first field of body that got does not hold ("" when
// it holds them all). A merge (PATCH) checks the config keys it named; a
// replacement the whole config.
func memberKept(body *gen.ClusterMemberPut, merge bool) func(got api.ClusterMemberPut) string {
	return func(got api.ClusterMemberPut) string {
		if body == nil {
			return ""
		}
		return firstMissing(
			fieldCheck{"description", same(body.Description, got.Description)},
			fieldCheck{"failure_domain", same(body.FailureDomain, got.FailureDomain)},
			fieldCheck{"groups", sameSet(body.Groups, got.Groups, nil)},
			fieldCheck{"roles", sameSet(body.Roles, got.Roles, automaticRole)},
			fieldCheck{"config", configKept(body.Config, got.Config, merge)})
	}
}

// groupKept is memberKept for a cluster group.
func groupKept(body *gen.ClusterGroupPut, merge bool) func(got api.ClusterGroupPut) string {
	return func(got api.ClusterGroupPut) string {
		if body == nil {
			return ""
		}
		return firstMissing(
			fieldCheck{"description", same(body.Description, got.Description)},
			fieldCheck{"members", sameSet(body.Members, got.Members, nil)},
			fieldCheck{"config", configKept(body.Config, got.Config, merge)})
	}
}

// fieldCheck is one field's verdict.
type fieldCheck struct {
	field string
	ok    bool
}

func firstMissing(fields ...fieldCheck) string {
	for _, f := range fields {
		if !f.ok {
			return f.field
		}
	}
	return ""
}

// automaticRole: the database roles are assigned by the cluster itself,
// never kept or refused as written.
func automaticRole(r string) bool { return strings.HasPrefix(r, "database") }

func same(want *string, got string) bool { return want == nil || *want == got }

// sameSet compares two lists as sets, leaving out what skip matches.
func sameSet(want *[]string, got []string, skip func(string) bool) bool {
	if want == nil {
		return true
	}
	norm := func(l []string) []string {
		out := slices.Clone(l)
		if skip != nil {
			out = slices.DeleteFunc(out, skip)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(*want), norm(got))
}

// configKept: a merge kept each named key (a "" value removed it); a
// replacement left exactly the config written.
func configKept(want *map[string]string, got map[string]string, merge bool) bool {
	if want == nil {
		return true
	}
	if !merge {
		return maps.Equal(*want, got) || (len(*want) == 0 && len(got) == 0)
	}
	for k, v := range *want {
		have, ok := got[k]
		if (v == "" && ok) || (v != "" && have != v) {
			return false
		}
	}
	return true
}
