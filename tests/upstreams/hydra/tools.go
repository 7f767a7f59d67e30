//go:build tools

// Package hydra is a test-only wrapper module that builds ORY Hydra v2.3.0
// (the OAuth 2 / OIDC server clustergate's identity tests get tokens from)
// from the Go module proxy. tests/scripts/build-hydra.sh builds it into a
// cache outside the repository.
package hydra

import _ "github.com/ory/hydra/v2"
