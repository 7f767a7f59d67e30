package portworx

import (
	"context"
	"net/http"

	"github.com/clustergate/clustergate/generated/openstorage"
	"github.com/clustergate/clustergate/internal/apierr"
)

// answer is what every generated *Response offers.
type answer interface{ StatusCode() int }

// check classifies a call's outcome: no answer, a non-2xx answer, or a 2xx
// answer whose body did not decode.
func (a *Adapter) check(op string, resp answer, body []byte, decoded bool, err error) error {
	if err != nil {
		return transportError(op, a.cfg.Endpoint, err)
	}
	if resp.StatusCode() < 200 || resp.StatusCode() > 299 {
		return answerError(op, resp.StatusCode(), body)
	}
	if !decoded {
		return apierr.Upstream(Name, http.StatusBadGateway, nil, "portworx %s: answer %d with a body that is not the expected JSON: %q", op, resp.StatusCode(), snippet(body))
	}
	return nil
}

// Enumerate lists this cluster's pairs.
func (a *Adapter) Enumerate(ctx context.Context) (*openstorage.APIClusterPairsEnumerateResponse, error) {
	resp, err := a.client.EnumerateWithResponse(ctx)
	if err := a.check("enumerate cluster pairs", resp, body(resp, err), resp != nil && resp.JSON200 != nil, err); err != nil {
		return nil, err
	}
	return orEmpty(resp.JSON200.Result), nil
}

// Create pairs this cluster with a remote one.
func (a *Adapter) Create(ctx context.Context, req openstorage.APIClusterPairCreateRequest) (*openstorage.APIClusterPairCreateResponse, error) {
	resp, err := a.client.CreateWithResponse(ctx, openstorage.APISdkClusterPairCreateRequest{Request: &req})
	if err := a.check("create cluster pair", resp, body(resp, err), resp != nil && resp.JSON200 != nil, err); err != nil {
		return nil, err
	}
	return orEmpty(resp.JSON200.Result), nil
}

// Inspect returns one pair.
func (a *Adapter) Inspect(ctx context.Context, id string) (*openstorage.APIClusterPairInfo, error) {
	resp, err := a.client.InspectWithResponse(ctx, id)
	if err := a.check("inspect cluster pair "+id, resp, body(resp, err), resp != nil && resp.JSON200 != nil, err); err != nil {
		return nil, err
	}
	if resp.JSON200.Result == nil || resp.JSON200.Result.PairInfo == nil {
		return nil, apierr.Upstream(Name, http.StatusNotFound, nil, "portworx: cluster pair %s not found", id)
	}
	return resp.JSON200.Result.PairInfo, nil
}

// GetToken returns this cluster's pairing token.
func (a *Adapter) GetToken(ctx context.Context) (string, error) {
	resp, err := a.client.GetTokenWithResponse(ctx)
	if err := a.check("get pair token", resp, body(resp, err), resp != nil && resp.JSON200 != nil, err); err != nil {
		return "", err
	}
	return tokenOf(resp.JSON200.Result), nil
}

// ResetToken replaces this cluster's pairing token and returns the new one.
func (a *Adapter) ResetToken(ctx context.Context) (string, error) {
	resp, err := a.client.ResetTokenWithResponse(ctx, openstorage.APISdkClusterPairResetTokenRequest{})
	if err := a.check("reset pair token", resp, body(resp, err), resp != nil && resp.JSON200 != nil, err); err != nil {
		return "", err
	}
	return tokenOf(resp.JSON200.Result), nil
}

// Delete removes a pair.
func (a *Adapter) Delete(ctx context.Context, id string) error {
	resp, err := a.client.DeleteWithResponse(ctx, id)
	return a.check("delete cluster pair "+id, resp, body(resp, err), true, err)
}

// Ping checks that the gateway answers and accepts clustergate's token.
func (a *Adapter) Ping(ctx context.Context) error {
	_, err := a.Enumerate(ctx)
	return err
}

// bodied is what every generated *Response offers besides its status.
type bodied interface{ GetBody() []byte }

func body[R any](resp *R, err error) []byte {
	if err != nil || resp == nil {
		return nil
	}
	if b, ok := any(resp).(bodied); ok {
		return b.GetBody()
	}
	return nil
}

func orEmpty[T any](v *T) *T {
	if v == nil {
		return new(T)
	}
	return v
}

func tokenOf(r *openstorage.APIClusterPairTokenGetResponse) string {
	if r == nil || r.Token == nil {
		return ""
	}
	return *r.Token
}
