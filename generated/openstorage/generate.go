// Package openstorage is the typed client of the upstream OpenStorage SDK
// REST gateway, limited to the cluster-pair operations, generated from
// openapi/upstream/openstorage-clusterpair.yaml (the pinned upstream spec,
// filtered and corrected by specgen): never edit it, run `make generate`.
package openstorage

//go:generate go tool oapi-codegen -config client.cfg.yaml ../../openapi/upstream/openstorage-clusterpair.yaml
