package catalog_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/vocab"
)

// TestEveryOperationHasAClassAndARole reads the three facade specs as
// generated: every operation carries x-safety-class, and so has a role.
func TestEveryOperationHasAClassAndARole(t *testing.T) {
	for name, get := range map[string]func() (*openapi3.T, error){
		"incus-cluster": incuscluster.GetSwagger, "portworx-clusterpair": portworxclusterpair.GetSwagger,
		"capi-clusters": capiclusters.GetSwagger,
	} {
		spec, err := get()
		require.NoError(t, err)
		ops, err := catalog.FromSpec(name, spec)
		require.NoError(t, err, name)
		require.NotEmpty(t, ops, name)
		for _, op := range ops {
			assert.Contains(t, vocab.Classes, op.Safety.Class, op.OperationID)
			assert.Contains(t, vocab.Roles, op.RequiredRole(), op.OperationID)
		}
	}
}

func TestMissingClassIsRefused(t *testing.T) {
	doc := &openapi3.T{Paths: openapi3.NewPaths()}
	doc.Paths.Set("/v1/x", &openapi3.PathItem{Get: &openapi3.Operation{OperationID: "x", Responses: openapi3.NewResponses()}})
	_, err := catalog.FromSpec("s", doc)
	assert.ErrorContains(t, err, "x-safety-class")
}

func TestModeRefusesByClass(t *testing.T) {
	read := catalog.Op{OperationID: "r", Safety: vocab.Safety{Class: vocab.Read}}
	secret := catalog.Op{OperationID: "s", Safety: vocab.Safety{Class: vocab.Read, Sensitive: true}}
	write := catalog.Op{OperationID: "w", Safety: vocab.Safety{Class: vocab.Write}}
	destroy := catalog.Op{OperationID: "d", Safety: vocab.Safety{Class: vocab.Destructive}}
	ro := catalog.Mode{ReadOnly: true}
	assert.Empty(t, ro.Refusal(read))
	assert.Empty(t, ro.Refusal(secret), "a sensitive read changes nothing: the role guards it")
	assert.Equal(t, "clustergate runs read-only: w changes state", ro.Refusal(write))
	assert.NotEmpty(t, ro.Refusal(destroy))
	nd := catalog.Mode{DisableDestructive: true}
	assert.Empty(t, nd.Refusal(write))
	assert.Equal(t, "clustergate runs with destructive operations disabled: d is destructive", nd.Refusal(destroy))
}
