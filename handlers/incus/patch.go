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
	config := cur.Config
	if patch.Config != nil {
		merged := make(map[string]string, len(config)+len(*patch.Config))
		for k, v := range config {
			merged[k] = v
		}
		for k, v := range *patch.Config {
			if v == "" {
				delete(merged, k)
				continue
			}
			merged[k] = v
		}
		config = merged
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return cur, fmt.Errorf("encode member patch: %w", err)
	}
	if err := json.Unmarshal(raw, &cur); err != nil {
		return cur, fmt.Errorf("apply member patch: %w", err)
	}
	cur.Config = config
	return cur, nil
}
