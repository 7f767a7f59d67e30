package incus

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/lxc/incus/v6/shared/api"
)

// GetCluster returns the cluster configuration and its ETag.
func (s *Sandbox) GetCluster(_ context.Context) (*api.Cluster, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cluster()
	return &c, etag(c), nil
}

func (s *Sandbox) cluster() api.Cluster {
	return api.Cluster{ServerName: s.serverName, Enabled: s.clustered, MemberConfig: []api.ClusterMemberConfigKey{}}
}

// UpdateCluster bootstraps a standalone sandbox into a one-member cluster
// and returns the finished operation. Like Incus it ignores etag on this
// route (the facade checks If-Match itself), and re-bootstrapping a
// clustered server fails the operation as Incus's own check does.
func (s *Sandbox) UpdateCluster(_ context.Context, put api.ClusterPut, _ string) (*api.Operation, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case put.ServerName == "" && put.Enabled:
		return nil, false, fail(http.StatusBadRequest, "ServerName is required when enabling clustering")
	case put.ServerName != "" && !put.Enabled:
		return nil, false, fail(http.StatusBadRequest, "ServerName must be empty when disabling clustering")
	case !put.Enabled:
		// Disabling would leave the sandbox without its cluster routes;
		// Incus refuses it for a member of a multi-member cluster too.
		return nil, false, fail(http.StatusBadRequest, "Disabling clustering is not supported by the sandbox")
	case put.ClusterAddress != "":
		return nil, false, fail(http.StatusBadRequest, "The sandbox cannot join another cluster")
	case s.clustered:
		return nil, false, failedOp("update cluster", "Inconsistent state: found leftover cluster certificate")
	}
	if err := checkAPIName(put.ServerName); err != nil {
		return nil, false, fail(http.StatusBadRequest, "Invalid server name: %v", err)
	}
	s.bootstrap(put.ServerName)
	return s.finishedOp("Creating bootstrap node", put.ServerName, nil), true, nil
}

// UpdateCertificate replaces the cluster certificate after checking, as
// Incus does, that both halves are PEM; the fingerprint in join tokens
// follows the new certificate.
func (s *Sandbox) UpdateCertificate(_ context.Context, put api.ClusterCertificatePut, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.notClustered(); err != nil {
		return err
	}
	cert, _ := pem.Decode([]byte(put.ClusterCertificate))
	if cert == nil {
		return fail(http.StatusBadRequest, "Certificate must be base64 encoded PEM certificate: %v", errors.New("no PEM block found"))
	}
	if _, err := x509.ParseCertificate(cert.Bytes); err != nil {
		return fail(http.StatusBadRequest, "Certificate must be base64 encoded PEM certificate: %v", err)
	}
	if key, _ := pem.Decode([]byte(put.ClusterCertificateKey)); key == nil {
		return fail(http.StatusBadRequest, "Private key must be base64 encoded PEM key: %v", errors.New("no PEM block found"))
	}
	s.certPEM = put.ClusterCertificate
	return nil
}

// fingerprint is the SHA-256 of the cluster certificate's DER, as Incus
// computes it; the built-in placeholder certificate is hashed as text.
func (s *Sandbox) fingerprint() string {
	if b, _ := pem.Decode([]byte(s.certPEM)); b != nil {
		sum := sha256.Sum256(b.Bytes)
		return hex.EncodeToString(sum[:])
	}
	return hexOf(s.certPEM)
}

// CreateGroup creates a cluster group; an existing name is Incus's 409.
func (s *Sandbox) CreateGroup(_ context.Context, group api.ClusterGroupsPost) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.notClustered(); err != nil {
		return err
	}
	if err := checkAPIName(group.Name); err != nil {
		return fail(http.StatusBadRequest, "Invalid cluster group name: %v", err)
	}
	for _, g := range s.groups {
		if g.Name == group.Name {
			return fail(http.StatusConflict, "This %q entry already exists", "cluster_groups")
		}
	}
	for _, name := range group.Members {
		if _, err := s.member(name); err != nil {
			return err
		}
	}
	g := &api.ClusterGroup{ClusterGroupPut: group.ClusterGroupPut, ClusterGroupPost: api.ClusterGroupPost{Name: group.Name}}
	g.Members = slices.Clone(group.Members)
	if g.Config == nil {
		g.Config = api.ConfigMap{}
	}
	s.groups = append(s.groups, g)
	for _, name := range g.Members {
		m, _ := s.member(name)
		if !slices.Contains(m.Groups, g.Name) {
			m.Groups = append(m.Groups, g.Name)
		}
	}
	return nil
}

// group returns the named group, or nil.
func (s *Sandbox) group(name string) *api.ClusterGroup {
	for _, g := range s.groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// CreateJoinToken issues a join token for a new member: a fresh secret,
// the cluster certificate's fingerprint, the addresses of the Online
// database members and Incus's default expiry. Like Incus it refuses
// invalid names and names of existing members.
func (s *Sandbox) CreateJoinToken(_ context.Context, req api.ClusterMembersPost) (*api.ClusterMemberJoinToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := checkAPIName(req.ServerName); err != nil {
		return nil, fail(http.StatusBadRequest, "Invalid cluster member name: %v", err)
	}
	if err := s.notClustered(); err != nil {
		return nil, err
	}
	var addrs []string
	for _, m := range s.members {
		if m.ServerName == req.ServerName {
			// Incus answers 500 here, which the adapter reports as 409.
			return nil, fail(http.StatusConflict, "The cluster already has a member with name: %s", req.ServerName)
		}
		if m.Status == "Online" && (slices.Contains(m.Roles, "database") || slices.Contains(m.Roles, "database-standby")) {
			addrs = append(addrs, strings.TrimPrefix(m.URL, "https://"))
		}
	}
	n := s.next()
	return &api.ClusterMemberJoinToken{
		ServerName: req.ServerName, Fingerprint: s.fingerprint(), Addresses: addrs,
		Secret: hexOf("join secret", n), ExpiresAt: s.now().UTC().Add(joinTokenExpiry),
	}, nil
}

// GetOperation returns an operation this sandbox ran; any other id is
// Incus's 404.
func (s *Sandbox) GetOperation(_ context.Context, id string) (*api.Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[id]
	if !ok {
		return nil, fail(http.StatusNotFound, "Operation not found")
	}
	cp := *op
	return &cp, nil
}
