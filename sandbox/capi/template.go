package capi

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
)

// Names of the seeded management cluster.
const (
	// Namespace holds the template and the demo cluster.
	Namespace = "default"
	// TemplateName is the ClusterClass clusters are created from.
	TemplateName = "quick-start"
	// DemoCluster is a cluster that is already provisioned when New returns.
	DemoCluster = "demo"
)

// QuickStart returns the ClusterClass the sandbox offers, in namespace: two
// worker classes (default-worker, gpu-worker), Kubernetes v1.35.2 and
// v1.36.3, and one variable of each kind create_cluster checks: a required
// enum (region), a required integer with a minimum and a default
// (etcdDiskGB), an optional object with a required property (proxy).
// tests/contract creates the same object on a real API server, so both
// variants validate against one template.
func QuickStart(namespace string) *clusterv1.ClusterClass {
	ref := func(group, kind, name string) clusterv1.ClusterClassTemplateReference {
		return clusterv1.ClusterClassTemplateReference{APIVersion: group + "/v1beta2", Kind: kind, Name: name}
	}
	const infra, cp, boot = "infrastructure.cluster.x-k8s.io", "controlplane.cluster.x-k8s.io", "bootstrap.cluster.x-k8s.io"
	cc := &clusterv1.ClusterClass{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: TemplateName}}
	cc.Spec.KubernetesVersions = []string{"v1.35.2", "v1.36.3"}
	cc.Spec.Infrastructure.TemplateRef = ref(infra, "DockerClusterTemplate", TemplateName)
	cc.Spec.ControlPlane.TemplateRef = ref(cp, "KubeadmControlPlaneTemplate", TemplateName+"-cp")
	// A KubeadmControlPlane needs its machines' infrastructure template:
	// Cluster API's topology controller cannot create one without it.
	cc.Spec.ControlPlane.MachineInfrastructure.TemplateRef = ref(infra, "DockerMachineTemplate", TemplateName+"-cp")
	for _, wc := range []string{"default-worker", "gpu-worker"} {
		cc.Spec.Workers.MachineDeployments = append(cc.Spec.Workers.MachineDeployments, clusterv1.MachineDeploymentClass{
			Class:          wc,
			Bootstrap:      clusterv1.MachineDeploymentClassBootstrapTemplate{TemplateRef: ref(boot, "KubeadmConfigTemplate", TemplateName+"-"+wc)},
			Infrastructure: clusterv1.MachineDeploymentClassInfrastructureTemplate{TemplateRef: ref(infra, "DockerMachineTemplate", TemplateName+"-"+wc)},
		})
	}
	raw := func(s string) apiextensionsv1.JSON { return apiextensionsv1.JSON{Raw: []byte(s)} }
	variable := func(name string, required bool, schema clusterv1.JSONSchemaProps) clusterv1.ClusterClassVariable {
		return clusterv1.ClusterClassVariable{Name: name, Required: &required,
			Schema: clusterv1.VariableSchema{OpenAPIV3Schema: schema}}
	}
	minDisk := int64(10)
	cc.Spec.Variables = []clusterv1.ClusterClassVariable{
		variable("region", true, clusterv1.JSONSchemaProps{Type: "string", Description: "Where the machines run.",
			Enum: []apiextensionsv1.JSON{raw(`"eu"`), raw(`"us"`)}}),
		variable("etcdDiskGB", true, clusterv1.JSONSchemaProps{Type: "integer", Description: "Size of each etcd disk.",
			Minimum: &minDisk, Default: new(raw(`20`))}),
		variable("proxy", false, clusterv1.JSONSchemaProps{Type: "object", Description: "HTTP proxy for the machines.",
			Required: []string{"http"}, Properties: map[string]clusterv1.JSONSchemaProps{"http": {Type: "string"}}}),
	}
	return cc
}
