package incus

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/lxc/incus/v6/shared/api"

	gen "github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/apierr"
)

// checkIfMatch refuses a write whose If-Match names another version than
// the one just read.
func checkIfMatch(ifMatch *string, etag string) error {
	if ifMatch == nil || *ifMatch == "" || *ifMatch == "*" || *ifMatch == etag {
		return nil
	}
	return apierr.New(http.StatusPreconditionFailed, "If-Match %s does not match the current ETag: the resource changed since it was read", *ifMatch)
}

// mergeMember applies a partial update with Incus's PATCH semantics: fields
// the patch sets replace the current ones, except config, whose keys are
// merged into the current config (a key set to "" is removed).
func mergeMember(cur api.ClusterMemberPut, patch *gen.ClusterMemberPut) (api.ClusterMemberPut, error) {
	if patch == nil {
		return cur, nil
	}
	// Field by field rather than through overlay's JSON round trip: PATCH
	// is a hot path. TestMemberPutIn pins the generated model's field set.
	set(&cur.Roles, patch.Roles)
	set(&cur.FailureDomain, patch.FailureDomain)
	set(&cur.Description, patch.Description)
	set(&cur.Groups, patch.Groups)
	cur.Config = mergeConfig(cur.Config, patch.Config)
	return cur, nil
}

// set replaces *dst with the patch's value when the patch has one.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// mergeGroup is mergeMember for a cluster group: fields replace, config
// keys merge.
func mergeGroup(cur api.ClusterGroupPut, patch *gen.ClusterGroupPut) (api.ClusterGroupPut, error) {
	if patch == nil {
		return cur, nil
	}
	config := mergeConfig(cur.Config, patch.Config)
	if err := overlay(&cur, patch, "group"); err != nil {
		return cur, err
	}
	cur.Config = config
	return cur, nil
}

// mergeConfig merges patch's keys into a copy of cur; "" removes a key.
func mergeConfig(cur map[string]string, patch *map[string]string) map[string]string {
	if patch == nil {
		return cur
	}
	merged := make(map[string]string, len(cur)+len(*patch))
	for k, v := range cur {
		merged[k] = v
	}
	for k, v := range *patch {
		if v == "" {
			delete(merged, k)
			continue
		}
		merged[k] = v
	}
	return merged
}

// overlay writes the fields patch sets (its JSON) over dst.
func overlay(dst any, patch any, what string) error {
	raw, err := json.Marshal(patch)
	if err != nil {
		return fmt.Errorf("encode %s patch: %w", what, err)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("apply %s patch: %w", what, err)
	}
	return nil
}
