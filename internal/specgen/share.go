package specgen

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// shareParams writes once, in components.parameters, every parameter that
// two or more operations declare verbatim (a member's {name} on each of its
// methods, If-Match on every write), and has the operations reference it.
// Every process parses the facades at start and kin-openapi decodes each
// block twice (fields, then extensions), so a copy per operation is paid for
// at every start; the reference resolves to the same parameter, so the
// contract, the generated Go types (aliases of the same types) and the MCP
// tools stay as they were. It runs last: the steps before read parameters
// inline.
func shareParams(doc map[string]any) error {
	uses := map[string][]paramUse{}
	var order []string
	paths := asMap(doc["paths"])
	for _, p := range sortedKeys(paths) {
		item := asMap(paths[p])
		for _, m := range sortedKeys(item) {
			if !isMethod(m) {
				continue
			}
			list, _ := asMap(item[m])["parameters"].([]any)
			for i, pr := range list {
				param := asMap(pr)
				if param == nil || param["$ref"] != nil {
					continue
				}
				key, err := json.Marshal(param) // map keys sorted: a canonical form
				if err != nil {
					return fmt.Errorf("%s %s: parameter: %w", strings.ToUpper(m), p, err)
				}
				if uses[string(key)] == nil {
					order = append(order, string(key))
				}
				uses[string(key)] = append(uses[string(key)], paramUse{path: p, list: list, i: i})
			}
		}
	}
	// Path parameters name first: they are what a reader looks up.
	sort.SliceStable(order, func(i, j int) bool { return uses[order[i]][0].in() == "path" && uses[order[j]][0].in() != "path" })
	shared := map[string]any{}
	names := map[string]string{} // component name -> canonical form
	for _, key := range order {
		u := uses[key]
		if len(u) < 2 {
			continue
		}
		param := asMap(u[0].list[u[0].i])
		name, err := sharedParamName(param, u[0].path, names, key)
		if err != nil {
			return err
		}
		shared[name] = param
		for _, use := range u {
			use.list[use.i] = map[string]any{"$ref": "#/components/parameters/" + name}
		}
	}
	if len(shared) == 0 {
		return nil
	}
	comps := asMap(doc["components"])
	all := asMap(comps["parameters"])
	if all == nil {
		all = map[string]any{}
		comps["parameters"] = all
	}
	for name, p := range shared {
		if all[name] != nil {
			return fmt.Errorf("shared parameter %s clashes with components.parameters.%s", name, name)
		}
		all[name] = p
	}
	return nil
}

// paramUse is one operation's parameter: its path and its place in the
// operation's parameter list.
type paramUse struct {
	path string
	list []any
	i    int
}

func (u paramUse) in() any { return asMap(u.list[u.i])["in"] }

// sharedParamName names a shared parameter after itself (If-Match is
// IfMatch), a path parameter also after the collection it selects from
// (members/{name} is MemberName) unless that says it already
// (namespaces/{namespace} is Namespace). Two different parameters that
// would share a name get their location appended to the second (a query
// namespace beside the path one is NamespaceQuery); a name still taken is an
// error rather than a guess, since oapi-codegen names a Go type after it.
func sharedParamName(param map[string]any, path string, names map[string]string, key string) (string, error) {
	pname, _ := param["name"].(string)
	in, _ := param["in"].(string)
	name := pascal(pname)
	if in == "path" {
		if coll := collectionOf(path, pname); coll != "" && !strings.EqualFold(coll, pname) {
			name = pascal(coll) + name
		}
	}
	if names[name] != "" && names[name] != key {
		name += pascal(in)
	}
	if names[name] != "" && names[name] != key {
		return "", fmt.Errorf("two shared parameters would be named %s (%s in %s): rename one", name, pname, in)
	}
	names[name] = key
	return name, nil
}

// collectionOf is the singular of the path segment before {param}:
// "members" in /v1/1-0/cluster/members/{name} gives "member".
func collectionOf(path, param string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if s == "{"+param+"}" && i > 0 && !strings.Contains(segs[i-1], "{") {
			return strings.TrimSuffix(segs[i-1], "s")
		}
	}
	return ""
}

// pascal joins the words of a name, each capitalized: if-match is IfMatch.
func pascal(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}
