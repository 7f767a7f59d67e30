package app

import (
	"fmt"
	"strings"

	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/oidc"
	"github.com/clustergate/clustergate/internal/vocab"
)

// tokenVerifier builds the access-token verifier of --oidc-issuer; nil when
// no identity provider is configured. Nothing is contacted here.
func tokenVerifier(cfg *config.Config) (auth.TokenVerifier, error) {
	if cfg.OIDCIssuer == "" {
		return nil, nil
	}
	groups := map[string]vocab.Role{}
	for _, pair := range cfg.OIDCGroupRoles {
		group, name, ok := strings.Cut(pair, "=")
		role, err := vocab.ParseRole(name)
		if !ok || group == "" || err != nil {
			return nil, fmt.Errorf("oidc-group-roles (%s): %q: want group=role with a role of %v", cfg.Source("oidc-group-roles"), pair, vocab.Roles)
		}
		groups[strings.TrimSpace(group)] = role
	}
	scopes := map[string][]string{}
	for _, pair := range cfg.OIDCGroupUpstreams {
		group, name, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(group) == "" || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("oidc-group-upstreams (%s): %q: want group=upstream", cfg.Source("oidc-group-upstreams"), pair)
		}
		scopes[strings.TrimSpace(group)] = append(scopes[strings.TrimSpace(group)], strings.TrimSpace(name))
	}
	v, err := oidc.New(oidc.Config{Issuer: cfg.OIDCIssuer, Audience: cfg.OIDCAudience,
		RolesClaim: cfg.OIDCRolesClaim, GroupRoles: groups, GroupUpstreams: scopes, Skew: cfg.OIDCClockSkew})
	if err != nil {
		return nil, fmt.Errorf("oidc-issuer (%s): %w", cfg.Source("oidc-issuer"), err)
	}
	return v, nil
}
