package mcp

import (
	"context"
	"time"

	"github.com/clustergate/clustergate/internal/audit"
	"github.com/clustergate/clustergate/internal/auth"
)

// refused answers a call the MCP layer turns away before any request is
// built (bad arguments, a destructive call without confirm), and audits
// it when the tool's operation is audited: the handler chain never sees
// it. The record holds the reason's kind, never the arguments.
func (c *Caller) refused(ctx context.Context, t *Tool, authz, why, msg string) Outcome {
	if !t.Op.Safety.Audited() || c.Audit == nil {
		return refusal(msg)
	}
	id := auth.Anonymous()
	if authn := (auth.Authenticator{Keys: c.Keys, Tokens: c.Tokens}); authn.Enabled() {
		if token, ok := auth.BearerToken(authz); ok {
			if known, err := authn.Identify(ctx, token); err == nil {
				id = known
			}
		}
	}
	name := id.Name
	if name == "" {
		name = id.Label()
	}
	err := c.Audit.Write(audit.Record{Time: time.Now().UTC(), Identity: name, IdentityKind: string(id.Kind), Role: string(id.Role),
		Peer: peerFrom(ctx), Via: "mcp", Tool: t.Name, Operation: t.Op.OperationID, Class: string(t.Op.Safety.Class),
		Sensitive: t.Op.Safety.Sensitive, UpstreamOperation: t.Op.UpstreamOp, Outcome: "refused", Reason: why})
	if err != nil {
		return refusal(msg + " (and the audit log cannot be written)")
	}
	return refusal(msg)
}

type peerKey struct{}

// withPeer carries the caller's address from the MCP request to the tool
// call's in-process request.
func withPeer(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, peerKey{}, ip)
}

func peerFrom(ctx context.Context) string {
	ip, _ := ctx.Value(peerKey{}).(string)
	return ip
}
