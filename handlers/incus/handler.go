// Package incus serves the Incus cluster routes of the facade: it maps each
// generated request onto the Incus adapter and the adapter's answer back onto
// the generated response, returning the resource itself (Incus's metadata),
// never the upstream envelope.
package incus

import (
	"context"
	"net/url"
	"strings"

	"github.com/lxc/incus/v6/shared/api"

	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/reshape"
)

// Upstream is what the handlers need from an Incus server. The real adapter
// (adapters/incus) implements it.
type Upstream interface {
	GetCluster(ctx context.Context) (*api.Cluster, string, error)
	UpdateCluster(ctx context.Context, put api.ClusterPut, etag string) (*api.Operation, bool, error)
	UpdateCertificate(ctx context.Context, put api.ClusterCertificatePut, etag string) error
	CreateGroup(ctx context.Context, group api.ClusterGroupsPost) error
	Groups(ctx context.Context) ([]api.ClusterGroup, error)
	GetGroup(ctx context.Context, name string) (*api.ClusterGroup, string, error)
	UpdateGroup(ctx context.Context, name string, put api.ClusterGroupPut, etag string) error
	DeleteGroup(ctx context.Context, name string) error
	MemberURLs(ctx context.Context, filter string) ([]string, error)
	Members(ctx context.Context, filter string) ([]api.ClusterMember, error)
	CreateJoinToken(ctx context.Context, req api.ClusterMembersPost) (*api.ClusterMemberJoinToken, error)
	GetMember(ctx context.Context, name string) (*api.ClusterMember, string, error)
	UpdateMember(ctx context.Context, name string, put api.ClusterMemberPut, etag string) error
	RenameMember(ctx context.Context, name string, post api.ClusterMemberPost) error
	DeleteMember(ctx context.Context, name string) error
	GetMemberState(ctx context.Context, name string) (*api.ClusterMemberState, error)
	UpdateMemberState(ctx context.Context, name string, post api.ClusterMemberStatePost) (*api.Operation, bool, error)
	GetOperation(ctx context.Context, id string) (*api.Operation, error)
}

// Handler implements the generated strict server interface.
type Handler struct {
	up    Upstream
	locks keyLocks // one per resource being written; see readMergeWrite
}

var _ incuscluster.StrictServerInterface = (*Handler)(nil)

// New returns the handlers for an Incus upstream.
func New(up Upstream) *Handler { return &Handler{up: up} }

// facadeURL rewrites an upstream resource URL (/1.0/...) to the facade route
// that serves it (/v1/1-0/...), so listed URLs resolve on clustergate.
func facadeURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "/1.0/"); ok {
		return "/v1/1-0/" + rest
	}
	return u
}

// memberURL is the facade route that serves a member.
func memberURL(name string) string { return "/v1/1-0/cluster/members/" + url.PathEscape(name) }

// groupURL is the facade route that serves a cluster group.
func groupURL(name string) string { return "/v1/1-0/cluster/groups/" + url.PathEscape(name) }

// asOperation converts an upstream operation to the facade model.
func asOperation(op *api.Operation) (incuscluster.Operation, error) {
	var out incuscluster.Operation
	return out, reshape.Into(&out, op)
}
