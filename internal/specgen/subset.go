package specgen

import (
	"fmt"
	"path/filepath"
)

// UpstreamSubset renders one surface's upstream spec at version, filtered
// to the operations the facade calls, repaired and converted to OAS 3 as
// generation does. `make bump` diffs it between the old and the new pin, so
// a reviewer sees what upstream changed in what clustergate consumes.
func UpstreamSubset(pinsPath, surface, version string) ([]byte, error) {
	pins, err := LoadPins(pinsPath)
	if err != nil {
		return nil, err
	}
	for _, s := range pins.Surfaces {
		if s.Name != surface {
			continue
		}
		if s.Upstream == nil {
			return nil, fmt.Errorf("surface %s has no pinned upstream module", surface)
		}
		u := *s.Upstream
		u.Version, s.Upstream = version, &u
		base := filepath.Dir(pinsPath)
		routes, ov, err := surfaceRoutes(base, s)
		if err != nil {
			return nil, err
		}
		var rep Repairs
		subset, err := loadUpstream(base, s, routes, ov, &rep)
		if err != nil {
			return nil, fmt.Errorf("surface %s at %s: %w", surface, version, err)
		}
		return render(subset, "the upstream spec "+u.String()+", filtered to the operations the facade calls")
	}
	return nil, fmt.Errorf("no surface %q in %s", surface, pinsPath)
}
