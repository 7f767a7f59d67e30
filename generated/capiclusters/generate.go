// Package capiclusters holds the generated server interface, models, embedded
// spec and facade client of the Cluster API surface. Everything here comes
// from openapi/capi-clusters.yaml: never edit it, run `make generate`.
package capiclusters

//go:generate go tool oapi-codegen -config server.cfg.yaml ../../openapi/capi-clusters.yaml
//go:generate go tool oapi-codegen -config client.cfg.yaml ../../openapi/capi-clusters.yaml
