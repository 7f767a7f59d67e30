package apidiff

import (
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"

	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/mcp"
)

// Change is one difference between two contracts: an oasdiff finding on a
// route, or a consequence for an MCP tool.
type Change struct {
	Surface  string `yaml:"surface"` // facade spec file
	Rule     string `yaml:"rule"`    // oasdiff rule id, or tool-* for MCP tools
	Level    string `yaml:"level"`   // error, warning or info (oasdiff's levels)
	Route    string `yaml:"route"`   // "METHOD /path", "" for spec-wide changes
	Tool     string `yaml:"tool"`    // the route's MCP tool, "" when it has none
	Field    string `yaml:"field"`   // tool changes: the argument or output field
	Text     string `yaml:"text"`
	Breaking bool   `yaml:"breaking"`
}

// Report is every change from one set of specs to another, breaking first.
type Report struct {
	Changes []Change
	// Operations counts each surface's operations on the revision side, so a
	// report of no change says how much was compared.
	Operations map[string]int
}

// Breaking lists the breaking changes.
func (r *Report) Breaking() []Change { return r.filter(true) }

// Other lists the changes that break no client.
func (r *Report) Other() []Change { return r.filter(false) }

func (r *Report) filter(breaking bool) []Change {
	var out []Change
	for _, c := range r.Changes {
		if c.Breaking == breaking {
			out = append(out, c)
		}
	}
	return out
}

// emptySpec stands in for a surface one side does not have.
var emptySpec = []byte("openapi: 3.0.3\ninfo: {title: none, version: '0'}\npaths: {}\ncomponents: {}\n")

// Compare diffs base against rev, surface by surface, then derives both
// sides' MCP tools and classifies what changed for them.
func Compare(base, rev Specs) (*Report, error) {
	var changes []Change
	baseDocs, revDocs := map[string]*openapi3.T{}, map[string]*openapi3.T{}
	for _, name := range Names(base, rev) {
		b, r := orEmpty(base[name]), orEmpty(rev[name])
		found, err := compareSurface(name, b, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		changes = append(changes, found...)
		if baseDocs[name], err = loadDoc(b); err != nil {
			return nil, fmt.Errorf("%s (base): %w", name, err)
		}
		if revDocs[name], err = loadDoc(r); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	tools, err := toolsOf(baseDocs, revDocs)
	if err != nil {
		return nil, err
	}
	for i := range changes {
		changes[i].Tool = tools.byRoute[changes[i].Route]
	}
	changes = append(changes, compareTools(tools)...)
	sortChanges(changes)
	return &Report{Changes: changes, Operations: countOps(revDocs)}, nil
}

func countOps(docs map[string]*openapi3.T) map[string]int {
	n := map[string]int{}
	for name, doc := range docs {
		for _, item := range doc.Paths.Map() {
			n[name] += len(item.Operations())
		}
	}
	return n
}

func orEmpty(b []byte) []byte {
	if len(b) == 0 {
		return emptySpec
	}
	return b
}

func loadDoc(data []byte) (*openapi3.T, error) {
	return openapi3.NewLoader().LoadFromData(data)
}

// compareSurface runs oasdiff's diff and every one of its checks, keeping
// changes of all levels (info included: the reviewer sees everything).
func compareSurface(name string, base, rev []byte) ([]Change, error) {
	s1, err := load.NewSpecInfoFromData(openapi3.NewLoader(), base, "base/"+name)
	if err != nil {
		return nil, fmt.Errorf("load base: %w", err)
	}
	s2, err := load.NewSpecInfoFromData(openapi3.NewLoader(), rev, name)
	if err != nil {
		return nil, fmt.Errorf("load revision: %w", err)
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return nil, fmt.Errorf("oasdiff: %w", err)
	}
	cfg := checker.NewConfig(checker.GetAllChecks())
	found := checker.CheckBackwardCompatibilityUntilLevel(cfg, d, sources, checker.INFO)
	l := checker.NewDefaultLocalizer()
	out := make([]Change, 0, len(found))
	for _, c := range found {
		ch := Change{Surface: name, Rule: c.GetId(), Level: c.GetLevel().String(),
			Text: c.GetUncolorizedText(l), Breaking: c.IsBreaking()}
		if c.GetPath() != "" {
			ch.Route = c.GetOperation() + " " + c.GetPath()
		}
		out = append(out, ch)
	}
	return out, nil
}

// toolSides are both sides' MCP tools, and which tool each route is.
type toolSides struct {
	base, rev map[string]mcp.Tool
	byRoute   map[string]string
}

func toolsOf(baseDocs, revDocs map[string]*openapi3.T) (*toolSides, error) {
	ts := &toolSides{byRoute: map[string]string{}}
	var err error
	if ts.base, err = deriveTools(baseDocs, ts.byRoute); err != nil {
		return nil, fmt.Errorf("base tools: %w", err)
	}
	if ts.rev, err = deriveTools(revDocs, ts.byRoute); err != nil {
		return nil, fmt.Errorf("tools: %w", err)
	}
	return ts, nil
}

// deriveTools derives tools exactly as the server does (mcp.Derive), and
// records each route's tool from the specs' x-mcp-tool extension.
func deriveTools(docs map[string]*openapi3.T, byRoute map[string]string) (map[string]mcp.Tool, error) {
	var all []catalog.Op
	for surface, doc := range docs {
		ops, err := catalog.FromSpec(surface, doc)
		if err != nil {
			return nil, err
		}
		all = append(all, ops...)
		for _, op := range ops {
			if op.Tool != "" {
				byRoute[op.Method+" "+op.Path] = op.Tool
			}
		}
	}
	tools, err := mcp.Derive(docs, all)
	if err != nil {
		return nil, err
	}
	out := make(map[string]mcp.Tool, len(tools))
	for _, t := range tools {
		out[t.Name] = t
	}
	return out, nil
}

func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Breaking != b.Breaking {
			return a.Breaking
		}
		if isToolRule(a.Rule) != isToolRule(b.Rule) {
			return !isToolRule(a.Rule)
		}
		if a.Surface != b.Surface {
			return a.Surface < b.Surface
		}
		if a.Route != b.Route {
			return a.Route < b.Route
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Field < b.Field
	})
}

// CompareUpstream diffs two renderings of an upstream spec (filtered to the
// consumed operations). Routes are upstream routes: no tools are involved.
func CompareUpstream(surface string, base, rev []byte) (*Report, error) {
	changes, err := compareSurface(surface, base, rev)
	if err != nil {
		return nil, err
	}
	sortChanges(changes)
	doc, err := loadDoc(rev)
	if err != nil {
		return nil, err
	}
	return &Report{Changes: changes, Operations: countOps(map[string]*openapi3.T{surface: doc})}, nil
}
