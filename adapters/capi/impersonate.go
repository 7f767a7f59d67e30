package capi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/clustergate/clustergate/internal/auth"
)

// Kubernetes impersonation headers (k8s.io/client-go/transport sets the same
// from a fixed rest.ImpersonationConfig; here the user changes per request).
const (
	headerImpersonateUser  = "Impersonate-User"
	headerImpersonateGroup = "Impersonate-Group"
)

// GroupPrefix prefixes the groups clustergate asserts for a caller, so a
// management cluster's RoleBindings can name clustergate callers without
// colliding with its own groups (system:…, oidc:…).
const GroupPrefix = "clustergate:"

// impersonating makes every call to the management cluster act as the
// caller of the request it serves: the caller's identity travels in the
// request's context (controller-runtime passes the handler's context down to
// each HTTP request), so one shared client serves every caller and the
// management cluster's own RBAC decides. A call without a caller is made as
// clustergate's own service account only for API discovery, which every
// authenticated user may read; anything else is refused rather than run
// with the service account's rights.
type impersonating struct{ next http.RoundTripper }

func (t impersonating) RoundTrip(req *http.Request) (*http.Response, error) {
	id, ok := auth.IdentityFrom(req.Context())
	if !ok || id.Name == "" {
		if req.Method == http.MethodGet && isDiscovery(req.URL.Path) {
			return t.next.RoundTrip(req)
		}
		return nil, fmt.Errorf("capi impersonation is on but the request carries no caller identity")
	}
	req = req.Clone(req.Context())
	req.Header.Del(headerImpersonateUser)
	req.Header.Del(headerImpersonateGroup)
	req.Header.Set(headerImpersonateUser, id.Name)
	for _, g := range id.Groups {
		req.Header.Add(headerImpersonateGroup, g)
	}
	if id.Role != "" {
		req.Header.Add(headerImpersonateGroup, GroupPrefix+string(id.Role))
	}
	return t.next.RoundTrip(req)
}

// isDiscovery says whether path is an API discovery document (/api, /apis,
// /apis/<group>, /apis/<group>/<version>, /api/<version>), never a resource.
func isDiscovery(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case parts[0] == "api":
		return len(parts) <= 2
	case parts[0] == "apis":
		return len(parts) <= 3
	case parts[0] == "version" || parts[0] == "openapi":
		return true
	}
	return false
}
