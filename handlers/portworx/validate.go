package portworx

import (
	"net"
	"regexp"

	gen "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/internal/apierr"
)

// hostname is an RFC 1123 host name: dot-separated labels of letters,
// digits and inner hyphens.
var hostname = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

// validateCreate checks a pair request before any upstream call. The request
// validator already enforces the spec (required fields, port range, mode
// enum); this repeats the port check for callers that bypass it and adds
// what a schema cannot say: the remote address is an IP or a host name.
func validateCreate(req gen.APIClusterPairCreateRequest) error {
	ip := req.RemoteClusterIP
	if net.ParseIP(ip) == nil && (len(ip) > 253 || !hostname.MatchString(ip)) {
		return apierr.BadRequest("request.remote_cluster_ip: %q is neither an IP address nor a host name", ip)
	}
	if req.RemoteClusterPort < 1 || req.RemoteClusterPort > 65535 {
		return apierr.BadRequest("request.remote_cluster_port: %d is not a port (1 to 65535)", req.RemoteClusterPort)
	}
	if req.Mode != nil && !req.Mode.Valid() {
		return apierr.BadRequest("request.mode: %q is not one of Default, DisasterRecovery, OneTimeMigration", *req.Mode)
	}
	return nil
}
