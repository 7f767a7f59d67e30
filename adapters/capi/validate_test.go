package capi

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	"github.com/clustergate/clustergate/internal/apierr"
)

func testClass() *clusterv1.ClusterClass {
	cc := &clusterv1.ClusterClass{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "qs"}}
	cc.Spec.Workers.MachineDeployments = []clusterv1.MachineDeploymentClass{{Class: "w"}}
	cc.Spec.Variables = []clusterv1.ClusterClassVariable{
		{Name: "count", Required: new(true), Schema: clusterv1.VariableSchema{OpenAPIV3Schema: clusterv1.JSONSchemaProps{
			Type: "integer", Default: &apiextensionsv1.JSON{Raw: []byte(`3`)}}}},
		{Name: "zone", Required: new(true), Schema: clusterv1.VariableSchema{OpenAPIV3Schema: clusterv1.JSONSchemaProps{Type: "string"}}},
		{Name: "flags", Schema: clusterv1.VariableSchema{OpenAPIV3Schema: clusterv1.JSONSchemaProps{
			Type: "array", Items: &clusterv1.JSONSchemaProps{Type: "boolean"}}}},
	}
	// A variable only a runtime extension declares shows up in status.
	cc.Status.Variables = []clusterv1.ClusterClassStatusVariable{{Name: "extra", Definitions: []clusterv1.ClusterClassStatusVariableDefinition{
		{From: "ext", Schema: clusterv1.VariableSchema{OpenAPIV3Schema: clusterv1.JSONSchemaProps{Type: "number"}}}}}}
	return cc
}

func TestCheckAgainstClassAcceptsAndDefaults(t *testing.T) {
	req := &CreateRequest{Version: "v1.36.3", Workers: []Worker{{Class: "w", Name: "a"}},
		Variables: map[string]any{"zone": "z1", "flags": []any{true, false}, "extra": 1.5, "count": float64(4)}}
	vars, err := checkAgainstClass(req, testClass())
	require.NoError(t, err)
	assert.Equal(t, float64(4), vars["count"], "JSON numbers decode as float64 and still match integer")

	delete(req.Variables, "count")
	vars, err = checkAgainstClass(req, testClass())
	require.NoError(t, err)
	assert.Equal(t, float64(3), vars["count"], "a required variable left out gets its default")
}

func TestCheckAgainstClassNamesEveryProblem(t *testing.T) {
	req := &CreateRequest{Version: "v1.36.3", ControlPlaneReplicas: new(int32(0)),
		Workers:   []Worker{{Class: "x", Name: "a"}, {Class: "w", Name: "a", Replicas: new(int32(-2))}},
		Variables: map[string]any{"flags": []any{"yes"}, "nope": 1, "count": 2.5}}
	_, err := checkAgainstClass(req, testClass())
	var e *apierr.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, http.StatusBadRequest, e.Status)
	for _, want := range []string{
		"controlPlaneReplicas: must be 1 or more",
		`workers[0].class: "x" is not a worker class of ClusterClass ns/qs (known: w)`,
		`workers[1].name: "a" is also the name of workers[0]`,
		"workers[1].replicas: must be 0 or more",
		"variables.flags[0] must be of type boolean",
		"variables.nope: not a variable of ClusterClass ns/qs (known: count, extra, flags, zone)",
		"variables.count must be of type integer",
		"variables.zone: required by ClusterClass ns/qs",
	} {
		assert.Contains(t, e.Message, want)
	}
}

func TestCheckAgainstClassVersions(t *testing.T) {
	cc := testClass()
	cc.Spec.KubernetesVersions = []string{"v1.35.0"}
	_, err := checkAgainstClass(&CreateRequest{Version: "v1.36.3", Variables: map[string]any{"zone": "z"}}, cc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "kubernetesVersion: v1.36.3 is not a version of ClusterClass ns/qs (v1.35.0)")
}

func TestPickNamesTheChoices(t *testing.T) {
	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "c"}}
	_, err := pick(cl, nil, "")
	assert.Equal(t, http.StatusConflict, apierr.From(err).Status)
	_, err = pick(cl, []string{"a", "b"}, "")
	assert.Contains(t, apierr.From(err).Message, "machineDeployment: cluster ns/c has several worker machine deployments (a, b); name one")
	i, err := pick(cl, []string{"a", "b"}, "b")
	require.NoError(t, err)
	assert.Equal(t, 1, i)
	i, err = pick(cl, []string{"a"}, "")
	require.NoError(t, err)
	assert.Equal(t, 0, i)
	_, err = pick(cl, []string{"a"}, "z")
	assert.Equal(t, http.StatusBadRequest, apierr.From(err).Status)
}
