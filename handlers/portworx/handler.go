// Package portworx serves the Portworx / OpenStorage cluster-pair routes of
// the facade. Bodies keep OpenStorage's shapes ({"request": …} in,
// {"result": …} out); the handlers add what the upstream leaves out or should
// not show: `mode` is always present, and remote clusters' tokens are
// redacted from listings for every caller but an admin.
package portworx

import (
	"context"

	"github.com/clustergate/clustergate/generated/openstorage"
	gen "github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/reshape"
)

// Redacted replaces a remote cluster's token in Enumerate and Inspect.
const Redacted = "[REDACTED]"

// Upstream is what the handlers need from an OpenStorage SDK gateway. The
// real adapter (adapters/portworx) implements it.
type Upstream interface {
	Enumerate(ctx context.Context) (*openstorage.APIClusterPairsEnumerateResponse, error)
	Create(ctx context.Context, req openstorage.APIClusterPairCreateRequest) (*openstorage.APIClusterPairCreateResponse, error)
	Inspect(ctx context.Context, id string) (*openstorage.APIClusterPairInfo, error)
	GetToken(ctx context.Context) (string, error)
	ResetToken(ctx context.Context) (string, error)
	Delete(ctx context.Context, id string) error
}

// Handler implements the generated strict server interface.
type Handler struct {
	up Upstream
}

var _ gen.StrictServerInterface = (*Handler)(nil)

// New returns the handlers for an OpenStorage upstream.
func New(up Upstream) *Handler { return &Handler{up: up} }

// Openstorageclusterpairenumerate lists the pairs, tokens redacted.
func (h *Handler) Openstorageclusterpairenumerate(ctx context.Context, _ gen.OpenstorageclusterpairenumerateRequestObject) (gen.OpenstorageclusterpairenumerateResponseObject, error) {
	res, err := h.up.Enumerate(ctx)
	if err != nil {
		return nil, err
	}
	var out gen.APIClusterPairsEnumerateResponse
	if err := reshape.Into(&out, res); err != nil {
		return nil, err
	}
	if out.Pairs != nil {
		for id, p := range *out.Pairs {
			(*out.Pairs)[id] = present(p, auth.IsAdmin(ctx))
		}
	}
	return gen.Openstorageclusterpairenumerate200JSONResponse{Result: &out}, nil
}

// Openstorageclusterpaircreate pairs with a remote cluster.
func (h *Handler) Openstorageclusterpaircreate(ctx context.Context, req gen.OpenstorageclusterpaircreateRequestObject) (gen.OpenstorageclusterpaircreateResponseObject, error) {
	if err := validateCreate(req.Body.Request); err != nil {
		return nil, err
	}
	var up openstorage.APIClusterPairCreateRequest
	if err := reshape.Into(&up, req.Body.Request); err != nil {
		return nil, err
	}
	res, err := h.up.Create(ctx, up)
	if err != nil {
		return nil, err
	}
	var out gen.APIClusterPairCreateResponse
	return gen.Openstorageclusterpaircreate200JSONResponse{Result: &out}, reshape.Into(&out, res)
}

// Openstorageclusterpairinspect returns one pair, token redacted.
func (h *Handler) Openstorageclusterpairinspect(ctx context.Context, req gen.OpenstorageclusterpairinspectRequestObject) (gen.OpenstorageclusterpairinspectResponseObject, error) {
	info, err := h.up.Inspect(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	var out gen.APIClusterPairInfo
	if err := reshape.Into(&out, info); err != nil {
		return nil, err
	}
	out = present(out, auth.IsAdmin(ctx))
	return gen.Openstorageclusterpairinspect200JSONResponse{Result: &gen.APIClusterPairGetResponse{PairInfo: &out}}, nil
}

// Openstorageclusterpairgettoken returns this cluster's pairing token (the
// route exists to hand it out; it is never logged).
func (h *Handler) Openstorageclusterpairgettoken(ctx context.Context, _ gen.OpenstorageclusterpairgettokenRequestObject) (gen.OpenstorageclusterpairgettokenResponseObject, error) {
	tok, err := h.up.GetToken(ctx)
	if err != nil {
		return nil, err
	}
	return gen.Openstorageclusterpairgettoken200JSONResponse{Result: &gen.APIClusterPairTokenGetResponse{Token: &tok}}, nil
}

// Openstorageclusterpairresettoken replaces the pairing token and returns it.
func (h *Handler) Openstorageclusterpairresettoken(ctx context.Context, _ gen.OpenstorageclusterpairresettokenRequestObject) (gen.OpenstorageclusterpairresettokenResponseObject, error) {
	tok, err := h.up.ResetToken(ctx)
	if err != nil {
		return nil, err
	}
	return gen.Openstorageclusterpairresettoken200JSONResponse{Result: &gen.APIClusterPairTokenGetResponse{Token: &tok}}, nil
}

// Openstorageclusterpairdelete removes a pair.
func (h *Handler) Openstorageclusterpairdelete(ctx context.Context, req gen.OpenstorageclusterpairdeleteRequestObject) (gen.OpenstorageclusterpairdeleteResponseObject, error) {
	if err := h.up.Delete(ctx, req.ClusterID); err != nil {
		return nil, err
	}
	return gen.Openstorageclusterpairdelete200JSONResponse{}, nil
}

// present fills the mode upstream omits when it is Default and, unless the
// caller is an admin, redacts the remote cluster's token.
func present(p gen.APIClusterPairInfo, reveal bool) gen.APIClusterPairInfo {
	if p.Mode == "" {
		p.Mode = gen.Default
	}
	if p.Token != nil && *p.Token != "" && !reveal {
		r := Redacted
		p.Token = &r
	}
	return p
}
