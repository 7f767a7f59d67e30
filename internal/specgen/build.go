package specgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Result is one derived facade.
type Result struct {
	Surface Surface
	YAML    []byte
	// UpstreamYAML is the filtered, corrected upstream spec, when the surface
	// asks for one (upstreamOutput) to generate a typed upstream client.
	UpstreamYAML []byte
	Repairs      Repairs
}

// Generate derives every surface's facade from the pins file at pinsPath.
func Generate(pinsPath string) ([]Result, error) {
	pins, err := LoadPins(pinsPath)
	if err != nil {
		return nil, err
	}
	base := filepath.Dir(pinsPath)
	var results []Result
	for _, s := range pins.Surfaces {
		s.Info = pins.Info
		res, err := generateSurface(base, s)
		if err != nil {
			return nil, fmt.Errorf("surface %s: %w", s.Name, err)
		}
		results = append(results, *res)
	}
	return results, nil
}

func generateSurface(base string, s Surface) (*Result, error) {
	routes, ov, err := surfaceRoutes(base, s)
	if err != nil {
		return nil, err
	}
	var rep Repairs
	subset, err := loadUpstream(base, s, routes, ov, &rep)
	if err != nil {
		return nil, err
	}
	upstream, err := loadV3(subset)
	if err != nil {
		return nil, fmt.Errorf("load filtered upstream spec: %w", err)
	}
	out, err := Facade(s, routes, upstream, ov, &rep)
	if err != nil {
		return nil, err
	}
	res := &Result{Surface: s, YAML: out, Repairs: rep}
	if s.UpstreamOutput != "" {
		if res.UpstreamYAML, err = render(subset, "the upstream spec "+upstreamName(s)+", filtered to the operations the facade calls"); err != nil {
			return nil, fmt.Errorf("upstream subset: %w", err)
		}
	}
	return res, nil
}

// surfaceRoutes reads a surface's capability routes and its overlay, whose
// extra operations it adds.
func surfaceRoutes(base string, s Surface) ([]Route, *Overlay, error) {
	capDoc, err := LoadCapability(filepath.Join(base, s.Capability))
	if err != nil {
		return nil, nil, err
	}
	routes, err := Routes(capDoc)
	if err != nil {
		return nil, nil, err
	}
	ov, err := LoadOverlay(joinIfSet(base, s.Overlay))
	if err != nil {
		return nil, nil, err
	}
	return append(routes, ov.Routes()...), ov, nil
}

func upstreamName(s Surface) string {
	if s.Upstream != nil {
		return s.Upstream.String()
	}
	return s.Spec
}

func loadV3(doc map[string]any) (*openapi3.T, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return openapi3.NewLoader().LoadFromData(raw)
}

func joinIfSet(base, p string) string {
	if p == "" {
		return ""
	}
	return filepath.Join(base, p)
}

// loadUpstream reads the pinned (or hand-written) upstream spec, keeps the
// operations the routes call and the components they reach, repairs a
// Swagger 2.0 document and converts it, and applies the overlay's
// x-upstream-patch. The result is an OAS 3 document as a generic map.
func loadUpstream(base string, s Surface, routes []Route, ov *Overlay, rep *Repairs) (map[string]any, error) {
	path := joinIfSet(base, s.Spec)
	if s.Upstream != nil {
		var err error
		if path, err = UpstreamFile(*s.Upstream); err != nil {
			return nil, err
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read upstream spec: %w", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse upstream spec %s: %w", path, err)
	}
	want := make([]OpRef, 0, len(routes))
	for _, r := range routes {
		want = append(want, r.Upstream)
	}
	extra := schemaRefs(ov.Patch, schemaRefs(ov.UpstreamPatch, nil))
	filtered, err := filterDoc(doc, want, extra)
	if err != nil {
		return nil, err
	}
	if doc["swagger"] != nil {
		declarePathParams(filtered, pathParamDescriber(routes), rep)
		fixExamples(filtered, "", rep)
		d3, err := toV3(filtered)
		if err != nil {
			return nil, err
		}
		g, err := toGeneric(d3)
		if err != nil {
			return nil, err
		}
		filtered = g.(map[string]any)
	}
	if len(ov.UpstreamPatch) > 0 {
		patch, err := deepCopy(ov.UpstreamPatch)
		if err != nil {
			return nil, fmt.Errorf("overlay x-upstream-patch is not JSON: %w", err)
		}
		merged, ok := mergePatch(filtered, patch).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("overlay x-upstream-patch must be an object")
		}
		filtered = merged
		rep.add("applied the overlay's x-upstream-patch")
	}
	return filtered, nil
}

func pathParamDescriber(routes []Route) func(string) string {
	return func(name string) string {
		for _, r := range routes {
			if d := inputDescription(r, name); d != "" {
				return d
			}
		}
		return name
	}
}

// Facade builds, patches, closes over schemas, validates and renders one
// facade document.
func Facade(s Surface, routes []Route, up *openapi3.T, ov *Overlay, rep *Repairs) ([]byte, error) {
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: "clustergate: " + s.Title, Version: "1",
			Description: fmt.Sprintf("The %s surface of clustergate, derived by specgen. Do not edit: change the capability, the pin or the overlay and run `make generate`.", s.Title)},
		Paths:      openapi3.NewPaths(),
		Components: &openapi3.Components{Parameters: sharedParams(), Responses: sharedResponses()},
		Extensions: map[string]any{vocab.ExtSurface: s.Name},
	}
	if s.Upstream != nil {
		doc.Extensions[vocab.ExtUpstreamPin] = s.Upstream.String()
	}
	for _, r := range routes {
		item := up.Paths.Value(r.Upstream.Path)
		if item == nil || item.GetOperation(r.Upstream.Method) == nil {
			return nil, fmt.Errorf("route %s: upstream has no %s %s", r.Name, r.Upstream.Method, r.Upstream.Path)
		}
		op, err := buildOperation(r, s.Name, item.GetOperation(r.Upstream.Method), up, rep)
		if err != nil {
			return nil, err
		}
		dst := doc.Paths.Value(r.Path)
		if dst == nil {
			dst = &openapi3.PathItem{}
			doc.Paths.Set(r.Path, dst)
		}
		if dst.GetOperation(r.Method) != nil {
			return nil, fmt.Errorf("route %s: %s %s is declared twice", r.Name, r.Method, r.Path)
		}
		dst.SetOperation(r.Method, op)
	}
	generic, err := toGeneric(doc)
	if err != nil {
		return nil, fmt.Errorf("encode facade: %w", err)
	}
	merged := mergePatch(generic, ov.Patch).(map[string]any)
	if err := classify(merged); err != nil {
		return nil, err
	}
	publish(merged, s)
	if err := closeSchemas(merged, up); err != nil {
		return nil, err
	}
	closeRequestSchemas(merged)
	if err := linkAsync(merged); err != nil {
		return nil, err
	}
	if err := shareParams(merged); err != nil {
		return nil, err
	}
	addSecurity(merged)
	return render(merged, "")
}

// closeSchemas fills components.schemas with every upstream schema the
// document reaches, each patched by the overlay's entry of the same name, and
// adds the facade's own Error schema.
func closeSchemas(doc map[string]any, up *openapi3.T) error {
	comps, _ := doc["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
		doc["components"] = comps
	}
	patches, _ := comps["schemas"].(map[string]any)
	schemas := map[string]any{}
	pending := schemaRefs(doc["paths"], nil)
	pending = schemaRefs(patches, pending)
	for len(pending) > 0 {
		name := pending[0]
		pending = pending[1:]
		if _, done := schemas[name]; done || name == "Error" {
			continue
		}
		var base any
		if sr := upstreamSchemas(up)[name]; sr != nil {
			var err error
			if base, err = deepCopy(sr.Value); err != nil {
				return fmt.Errorf("schema %q: %w", name, err)
			}
		}
		if base == nil && patches[name] == nil {
			return fmt.Errorf("schema %q is referenced but neither upstream nor the overlay defines it", name)
		}
		s := base
		if patches[name] != nil {
			s = mergePatch(base, patches[name])
		}
		schemas[name] = s
		pending = schemaRefs(s, pending)
	}
	if _, clash := upstreamSchemas(up)["Error"]; clash {
		return fmt.Errorf("upstream defines a schema named Error, which the facade reserves")
	}
	schemas["Error"] = errorSchema()
	comps["schemas"] = schemas
	return nil
}

func schemaRefs(node any, acc []string) []string {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
				acc = append(acc, name)
			}
		}
		for _, k := range sortedKeys(n) {
			acc = schemaRefs(n[k], acc)
		}
	case []any:
		for _, v := range n {
			acc = schemaRefs(v, acc)
		}
	}
	return acc
}

func addSecurity(doc map[string]any) {
	comps := doc["components"].(map[string]any)
	comps["securitySchemes"] = map[string]any{"bearer": map[string]any{
		"type": "http", "scheme": "bearer",
		"description": "A clustergate API key, when CLUSTERGATE_API_KEYS is set.",
	}}
	doc["security"] = []any{map[string]any{"bearer": []any{}}}
}

// render validates the document and writes it as YAML with sorted keys, so a
// rerun is byte-identical. what, when set, says what the file is.
func render(doc map[string]any, what string) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	err := enc.Encode(doc)
	body := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("render facade: %w", err)
	}
	loader := openapi3.NewLoader()
	parsed, err := loader.LoadFromData(body)
	if err != nil {
		return nil, fmt.Errorf("reload facade: %w", err)
	}
	if err := parsed.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("facade is not valid OpenAPI: %w", err)
	}
	header := "# Code generated by specgen from openapi/pins.yaml; DO NOT EDIT.\n"
	if what != "" {
		header += "# This is " + what + ".\n"
	}
	return append([]byte(header), body...), nil
}

// upstreamSchemas is the upstream's schemas, none when it has no components.
func upstreamSchemas(up *openapi3.T) openapi3.Schemas {
	if up.Components == nil {
		return nil
	}
	return up.Components.Schemas
}
