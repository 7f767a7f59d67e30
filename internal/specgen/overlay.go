package specgen

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Overlay holds a surface's corrections: routes the facade adds beyond the
// capability (x-extra-operations) and an RFC 7386 merge patch applied to the
// derived document (null deletes, objects merge, anything else replaces).
type Overlay struct {
	Extras []ExtraOp
	Patch  map[string]any
	// UpstreamPatch (x-upstream-patch) corrects the upstream spec where the
	// wire differs from it, before the facade and any upstream client are
	// derived from it.
	UpstreamPatch map[string]any
}

// ExtraOp is a facade route the capability does not list, derived from an
// upstream operation like any other route.
type ExtraOp struct {
	Name        string       `yaml:"name"`
	Method      string       `yaml:"method"`
	Path        string       `yaml:"path"`
	Description string       `yaml:"description"`
	Upstream    OpRef        `yaml:"upstream"`
	Tool        *Tool        `yaml:"tool"`
	Inputs      []InputParam `yaml:"inputs"`
}

// LoadOverlay reads an overlay file; an empty path is an empty overlay.
func LoadOverlay(path string) (*Overlay, error) {
	o := &Overlay{Patch: map[string]any{}}
	if path == "" {
		return o, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read overlay: %w", err)
	}
	var doc struct {
		Extras []ExtraOp `yaml:"x-extra-operations"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse overlay %s: %w", path, err)
	}
	if err := yaml.Unmarshal(raw, &o.Patch); err != nil {
		return nil, fmt.Errorf("parse overlay %s: %w", path, err)
	}
	delete(o.Patch, "x-extra-operations")
	o.UpstreamPatch, _ = o.Patch["x-upstream-patch"].(map[string]any)
	delete(o.Patch, "x-upstream-patch")
	o.Extras = doc.Extras
	return o, nil
}

// Routes turns the extra operations into routes.
func (o *Overlay) Routes() []Route {
	var routes []Route
	for _, e := range o.Extras {
		routes = append(routes, Route{Name: e.Name, Method: strings.ToUpper(e.Method), Path: e.Path,
			Description: e.Description, Inputs: e.Inputs, Tool: e.Tool,
			Upstream: OpRef{Path: e.Upstream.Path, Method: strings.ToUpper(e.Upstream.Method)}})
	}
	return routes
}

// mergePatch applies an RFC 7386 merge patch to target and returns the result.
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}

// toGeneric turns any JSON-marshalable value into maps, slices and scalars.
func toGeneric(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(raw, &out)
}

func deepCopy(v any) (any, error) { return toGeneric(v) }
