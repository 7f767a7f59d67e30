package capi

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	"github.com/clustergate/clustergate/internal/apierr"
)

// checkAgainstClass does what Cluster API's admission webhook would do with
// a new topology Cluster, which the facade cannot count on (the webhook may
// be absent, and its answer names Kubernetes fields, not the request's): the
// Kubernetes version is one the class supports, the worker classes exist and
// names are unique, every variable is known and matches its schema, and
// every required variable is given. A required variable left out but with a
// default gets the default, as the webhook would set it. Every problem found
// is reported in one 400, each naming its request field.
func checkAgainstClass(req *CreateRequest, cc *clusterv1.ClusterClass) (map[string]any, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	class := cc.Namespace + "/" + cc.Name
	if vs := cc.Spec.KubernetesVersions; len(vs) > 0 && !slices.Contains(vs, req.Version) {
		add("kubernetesVersion: %s is not a version of ClusterClass %s (%s)", req.Version, class, strings.Join(vs, ", "))
	}
	if r := req.ControlPlaneReplicas; r != nil && *r < 1 {
		add("controlPlaneReplicas: must be 1 or more, not %d", *r)
	}
	checkWorkers(req.Workers, cc, add)
	vars := checkVariables(req.Variables, classVariables(cc), class, add)
	if len(problems) > 0 {
		return nil, apierr.BadRequest("the request does not fit ClusterClass %s: %s", class, strings.Join(problems, "; "))
	}
	return vars, nil
}

func checkWorkers(workers []Worker, cc *clusterv1.ClusterClass, add func(string, ...any)) {
	known := workerClasses(cc)
	names := map[string]int{}
	for i, w := range workers {
		if !slices.Contains(known, w.Class) {
			add("workers[%d].class: %q is not a worker class of ClusterClass %s/%s (%s)", i, w.Class, cc.Namespace, cc.Name, list(known))
		}
		if j, dup := names[w.Name]; dup {
			add("workers[%d].name: %q is also the name of workers[%d]", i, w.Name, j)
		}
		names[w.Name] = i
		if w.Replicas != nil && *w.Replicas < 0 {
			add("workers[%d].replicas: must be 0 or more, not %d", i, *w.Replicas)
		}
	}
}

// checkVariables returns the variables to set: the given ones, plus the
// defaults of required ones left out.
func checkVariables(given map[string]any, defs []Variable, class string, add func(string, ...any)) map[string]any {
	out := make(map[string]any, len(given))
	byName := make(map[string]Variable, len(defs))
	for _, d := range defs {
		byName[d.Name] = d
	}
	for _, name := range sortedKeys(given) {
		d, ok := byName[name]
		if !ok {
			add("variables.%s: not a variable of ClusterClass %s (%s)", name, class, list(variableNames(defs)))
			continue
		}
		if err := matchSchema("variables."+name, d.Schema, given[name]); err != "" {
			add("%s", err)
		}
		out[name] = given[name]
	}
	for _, d := range defs {
		if _, ok := given[d.Name]; ok || !d.Required {
			continue
		}
		if d.Schema.Default != nil {
			var v any
			if err := json.Unmarshal(d.Schema.Default.Raw, &v); err == nil {
				out[d.Name] = v
				continue
			}
		}
		add("variables.%s: required by ClusterClass %s", d.Name, class)
	}
	return out
}

// matchSchema validates a value against a variable's OpenAPI v3 schema and
// returns the problems, each prefixed with field; "" when it matches.
// Cluster API's schema type has the JSON shape of an OpenAPI schema, so a
// JSON round trip gives the validator's own type.
func matchSchema(field string, props clusterv1.JSONSchemaProps, value any) string {
	raw, err := json.Marshal(props)
	if err != nil {
		return fmt.Sprintf("%s: the ClusterClass's schema cannot be read: %v", field, err)
	}
	var s spec.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Sprintf("%s: the ClusterClass's schema cannot be read: %v", field, err)
	}
	res := validate.NewSchemaValidator(&s, nil, field, strfmt.Default).Validate(value)
	if res.IsValid() {
		return ""
	}
	msgs := make([]string, 0, len(res.Errors))
	for _, e := range res.Errors {
		// The validator phrases errors for request bodies ("x in body must
		// be ..."); the field name says where already.
		msgs = append(msgs, strings.Replace(e.Error(), " in body ", " ", 1))
	}
	sort.Strings(msgs)
	return strings.Join(msgs, "; ")
}

func variableNames(defs []Variable) []string {
	out := make([]string, 0, len(defs))
	for _, d := range defs {
		out = append(out, d.Name)
	}
	return out
}

// list renders known names for a message.
func list(names []string) string {
	if len(names) == 0 {
		return "it has none"
	}
	return "known: " + strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
