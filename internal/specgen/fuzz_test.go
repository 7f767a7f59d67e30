package specgen

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The specgen fuzzers feed its readers what a careless edit of a capability,
// an overlay or a pinned upstream spec could contain. specgen runs only on
// files in this repository, so errors are fine; a panic is not: it hides
// which file and which key is wrong.

// failOnPanic turns a panic into this input's failure, stack included, so
// a regression input in the corpus fails its own case instead of killing
// the test binary and every test after it.
func failOnPanic(t *testing.T) {
	if p := recover(); p != nil {
		t.Fatalf("panic: %v\n%s", p, debug.Stack())
	}
}

// addRepoFiles seeds f with the real inputs under openapi/<dir>, so the
// fuzzers start from what specgen actually reads.
func addRepoFiles(f *testing.F, dir string) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "openapi", dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds under openapi/%s: %v", dir, err)
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
}

// FuzzCapability: any bytes as a capability document → LoadCapability →
// Routes. Every route it returns has upper-case methods, as the facade
// builder assumes.
func FuzzCapability(f *testing.F) {
	addRepoFiles(f, "capabilities")
	file := filepath.Join(f.TempDir(), "capability.yaml")
	f.Fuzz(func(t *testing.T, doc []byte) {
		defer failOnPanic(t)
		if err := os.WriteFile(file, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadCapability(file)
		if err != nil {
			return
		}
		routes, err := Routes(c)
		if err != nil {
			return
		}
		for _, r := range routes {
			if r.Method != strings.ToUpper(r.Method) || r.Upstream.Method != strings.ToUpper(r.Upstream.Method) {
				t.Fatalf("route %s: methods %q → %q are not upper case", r.Name, r.Method, r.Upstream.Method)
			}
			templateParams(r.Path)
		}
	})
}

// fuzzUpstream is a small OAS 3 upstream with one operation and a schema,
// the shape loadUpstream hands to Facade.
const fuzzUpstream = `openapi: 3.0.3
info: {title: up, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
components:
  schemas:
    Thing: {type: object, properties: {name: {type: string, example: x}}}
`

// FuzzOverlay: any bytes as an overlay → LoadOverlay, then the two places
// its merge patches are applied: loadUpstream (x-upstream-patch onto the
// upstream subset) and Facade (the patch onto the derived document).
func FuzzOverlay(f *testing.F) {
	addRepoFiles(f, "overlays")
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "up.yaml"), []byte(fuzzUpstream), 0o600); err != nil {
		f.Fatal(err)
	}
	file := filepath.Join(dir, "overlay.yaml")
	s := Surface{Name: "fuzz", Title: "Fuzz", Spec: "up.yaml"}
	base := []Route{{Name: "getthing", Method: "GET", Path: "/v1/things/{id}", Upstream: OpRef{Path: "/things/{id}", Method: "GET"}}}
	f.Fuzz(func(t *testing.T, doc []byte) {
		defer failOnPanic(t)
		if err := os.WriteFile(file, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		ov, err := LoadOverlay(file)
		if err != nil {
			return
		}
		routes := append(append([]Route{}, base...), ov.Routes()...)
		var rep Repairs
		subset, err := loadUpstream(dir, s, routes, ov, &rep)
		if err != nil {
			return
		}
		up, err := loadV3(subset)
		if err != nil {
			return
		}
		_, _ = Facade(s, routes, up, ov, &rep)
	})
}

// FuzzFixExamples: any YAML or JSON as an upstream spec → the steps
// loadUpstream runs on it: filterDoc (cut to some of its own operations),
// and for Swagger 2.0 declarePathParams, fixExamples and the conversion.
// fixExamples must leave nothing to fix: a second pass repairs nothing.
func FuzzFixExamples(f *testing.F) {
	addRepoFiles(f, "upstream")
	f.Add([]byte(`{"swagger":"2.0","paths":{"/a/{n}":{"get":{"responses":{"200":{"schema":{"$ref":"#/definitions/A"}}}}}},` +
		`"definitions":{"A":{"type":"array","example":"[1,2]","items":{"type":"integer","example":"x"}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		defer failOnPanic(t)
		var doc map[string]any
		if yaml.Unmarshal(raw, &doc) != nil {
			return
		}
		var rep Repairs
		fixExamples(doc, "", &rep)
		var again Repairs
		fixExamples(doc, "", &again)
		if len(again) > 0 {
			t.Fatalf("fixExamples is not idempotent: a second pass repaired %q", again)
		}
		want := []OpRef{{Path: "/missing", Method: "GET"}}
		if paths, ok := doc["paths"].(map[string]any); ok {
			want = want[:0]
			for _, p := range sortedKeys(paths) {
				item, _ := paths[p].(map[string]any)
				for _, m := range sortedKeys(item) {
					if len(want) < 4 {
						want = append(want, OpRef{Path: p, Method: strings.ToUpper(m)})
					}
				}
			}
		}
		var extra []string
		if defs, ok := doc["definitions"].(map[string]any); ok {
			extra = sortedKeys(defs)
		}
		filtered, err := filterDoc(doc, want, extra)
		if err != nil || doc["swagger"] == nil {
			return
		}
		declarePathParams(filtered, func(n string) string { return n }, &rep)
		fixExamples(filtered, "", &rep)
		if d3, err := toV3(filtered); err == nil {
			_, _ = toGeneric(d3)
		}
	})
}
