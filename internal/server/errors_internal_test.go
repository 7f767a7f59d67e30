package server

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/internal/vocab"
)

// TestErrorBodyIsTheSpecsErrorSchema ties the one error shape the server
// writes to the Error schema specgen puts in every facade spec: the two are
// written in different places, so this keeps them one fact.
func TestErrorBodyIsTheSpecsErrorSchema(t *testing.T) {
	var fields, required []string
	typ := reflect.TypeFor[vocab.ErrorBody]()
	for i := range typ.NumField() {
		name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
		if opts != "omitempty" {
			required = append(required, name)
		}
	}
	sort.Strings(fields)
	sort.Strings(required)
	for name, load := range map[string]func() (*openapi3.T, error){
		"incus": incuscluster.GetSwagger, "portworx": portworxclusterpair.GetSwagger, "capi": capiclusters.GetSwagger,
	} {
		doc, err := load()
		require.NoError(t, err)
		schema := doc.Components.Schemas["Error"].Value
		var props []string
		for k := range schema.Properties {
			props = append(props, k)
		}
		sort.Strings(props)
		want := append([]string(nil), schema.Required...)
		sort.Strings(want)
		assert.Equal(t, props, fields, "%s: error body fields", name)
		assert.Equal(t, want, required, "%s: required error fields", name)
	}
}
