// Package portworxclusterpair holds the generated server interface, models,
// embedded spec and facade client of the Portworx / OpenStorage cluster-pair
// surface, from openapi/portworx-clusterpair.yaml: never edit it, run
// `make generate`.
package portworxclusterpair

//go:generate go tool oapi-codegen -config server.cfg.yaml ../../openapi/portworx-clusterpair.yaml
//go:generate go tool oapi-codegen -config client.cfg.yaml ../../openapi/portworx-clusterpair.yaml
