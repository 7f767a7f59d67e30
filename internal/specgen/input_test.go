package specgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestSchemasAreClosed: objects a request body holds refuse
// undeclared fields; maps that declare additionalProperties stay maps, and
// response-only schemas stay open.
func TestRequestSchemasAreClosed(t *testing.T) {
	docs, _ := generated(t)
	incus := docs["incus-cluster"].Components.Schemas
	put := incus["ClusterMemberPut"].Value
	require.NotNil(t, put.AdditionalProperties.Has)
	assert.False(t, *put.AdditionalProperties.Has, "ClusterMemberPut is closed")
	assert.NotNil(t, put.Properties["config"].Value.AdditionalProperties.Schema, "config stays a map of strings")
	assert.Nil(t, incus["ClusterMember"].Value.AdditionalProperties.Has, "a response schema stays open")
	create := docs["capi-clusters"].Components.Schemas["CapiCreateClusterRequest"].Value
	require.NotNil(t, create.AdditionalProperties.Has)
	assert.False(t, *create.AdditionalProperties.Has)
}
