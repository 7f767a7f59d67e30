package mcp

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clustergate/clustergate/internal/catalog"
)

// deriveSpec derives the tools of one surface's spec, as app.Build does.
func deriveSpec(surface string, doc *openapi3.T) ([]Tool, error) {
	ops, err := catalog.FromSpec(surface, doc)
	if err != nil {
		return nil, err
	}
	return Derive(map[string]*openapi3.T{surface: doc}, ops)
}
