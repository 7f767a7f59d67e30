package capi

import (
	"context"
	"sort"

	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
)

// Template is a ClusterClass with the variables a Cluster of that class
// accepts.
type Template struct {
	Class     clusterv1.ClusterClass
	Variables []Variable
}

// Variable is one variable a ClusterClass defines.
type Variable struct {
	Name     string
	Required bool
	Schema   clusterv1.JSONSchemaProps
}

// ListTemplates lists the ClusterClasses of namespace, or of every namespace
// when it is empty, sorted by namespace then name.
func (a *Adapter) ListTemplates(ctx context.Context, namespace string) ([]Template, error) {
	c, err := a.client()
	if err != nil {
		return nil, err
	}
	var list clusterv1.ClusterClassList
	if err := c.List(ctx, &list, inNamespace(namespace)...); err != nil {
		return nil, a.classify(err, "list cluster classes%s", where(namespace))
	}
	sort.Slice(list.Items, func(i, j int) bool { return less(&list.Items[i], &list.Items[j]) })
	out := make([]Template, 0, len(list.Items))
	for _, cc := range list.Items {
		out = append(out, Template{Class: cc, Variables: classVariables(&cc)})
	}
	return out, nil
}

// classVariables lists the variables of a ClusterClass, sorted by name: the
// inline ones of spec.variables, and those status.variables adds (Cluster
// API's controller copies the inline ones there and adds the ones runtime
// extensions declare). Without a running controller status is empty, so spec
// comes first.
func classVariables(cc *clusterv1.ClusterClass) []Variable {
	seen := map[string]bool{}
	var out []Variable
	for _, v := range cc.Spec.Variables {
		seen[v.Name] = true
		out = append(out, Variable{Name: v.Name, Required: deref(v.Required), Schema: v.Schema.OpenAPIV3Schema})
	}
	for _, v := range cc.Status.Variables {
		if seen[v.Name] || len(v.Definitions) == 0 {
			continue
		}
		seen[v.Name] = true
		d := v.Definitions[0]
		out = append(out, Variable{Name: v.Name, Required: deref(d.Required), Schema: d.Schema.OpenAPIV3Schema})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// workerClasses lists the machine deployment classes of a ClusterClass.
func workerClasses(cc *clusterv1.ClusterClass) []string {
	out := make([]string, 0, len(cc.Spec.Workers.MachineDeployments))
	for _, md := range cc.Spec.Workers.MachineDeployments {
		out = append(out, md.Class)
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
