// Package incuscluster holds the generated server interface, models, embedded
// spec and facade client of the Incus cluster surface. Everything here comes
// from openapi/incus-cluster.yaml: never edit it, run `make generate`.
package incuscluster

//go:generate go tool oapi-codegen -config server.cfg.yaml ../../openapi/incus-cluster.yaml
//go:generate go tool oapi-codegen -config client.cfg.yaml ../../openapi/incus-cluster.yaml
