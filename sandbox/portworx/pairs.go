package portworx

import (
	"context"
	"maps"
	"net/http"

	"github.com/clustergate/clustergate/generated/openstorage"
)

// Enumerate lists the cluster's pairs. With none it is the empty result
// the server answers ({"result":{}}: no pairs map, no default id).
func (s *Sandbox) Enumerate(_ context.Context) (*openstorage.APIClusterPairsEnumerateResponse, error) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	out := &openstorage.APIClusterPairsEnumerateResponse{}
	if len(s.c.pairs) == 0 {
		return out, nil
	}
	pairs := make(map[string]openstorage.APIClusterPairInfo, len(s.c.pairs))
	for id, p := range s.c.pairs {
		pairs[id] = copyInfo(p)
	}
	out.Pairs = &pairs
	if s.c.defaultID != "" {
		out.DefaultID = new(s.c.defaultID)
	}
	return out, nil
}

// Create pairs the cluster with the World's cluster at the request's
// address, checking the token as the remote's legacy API does. The first
// pair becomes the default; pairing again with a paired cluster keeps the
// pair as it was, as the server does.
func (s *Sandbox) Create(_ context.Context, req openstorage.APIClusterPairCreateRequest) (*openstorage.APIClusterPairCreateResponse, error) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	ip, port, token := deref(req.RemoteClusterIP), deref(req.RemoteClusterPort), deref(req.RemoteClusterToken)
	// The server reports every refusal under code 13; adapters/portworx maps
	// an unreachable remote to 502, a refused token or self-pairing to 400.
	prefix := "Cannot create cluster with remote pair " + ip + " : Error from remote cluster: "
	remote := s.w.lookup(ip, port)
	switch {
	case remote == nil:
		addr := hostPort(ip, port)
		return nil, fail(http.StatusBadGateway, "%sError: Post \"http://%s/v1/cluster/pair\": dial tcp %s: connect: connection refused", prefix, addr, addr)
	case remote == s.c:
		return nil, fail(http.StatusBadRequest, "%sCannot create cluster pair with self", prefix)
	case token != remote.token:
		return nil, fail(http.StatusBadRequest, "%sToken mismatch during pairing", prefix)
	}
	if _, paired := s.c.pairs[remote.id]; !paired {
		info := openstorage.APIClusterPairInfo{
			ID: new(remote.id), Name: new(remote.name), Endpoint: new("http://" + hostPort(ip, port) + "/"),
			Token: new(token),
		}
		if m := deref(req.Mode); m != "" && m != "Default" { // the server omits Default
			info.Mode = new(m)
		}
		s.c.pairs[remote.id] = info
	}
	if s.c.defaultID == "" || deref(req.SetDefault) {
		s.c.defaultID = remote.id
	}
	return &openstorage.APIClusterPairCreateResponse{RemoteClusterID: new(remote.id), RemoteClusterName: new(remote.name)}, nil
}

// Inspect returns one pair, or the server's "not found" (a 404 once mapped).
func (s *Sandbox) Inspect(_ context.Context, id string) (*openstorage.APIClusterPairInfo, error) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	if id == "" {
		return nil, fail(http.StatusBadRequest, "Must supply cluster ID")
	}
	p, ok := s.c.pairs[id]
	if !ok {
		return nil, fail(http.StatusNotFound, "Cannot Get cluster information for %s : Cluster pair for id %s not found", id, id)
	}
	info := copyInfo(p)
	return &info, nil
}

// GetToken returns the cluster's pairing token.
func (s *Sandbox) GetToken(_ context.Context) (string, error) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return s.c.token, nil
}

// ResetToken replaces the pairing token; the old one no longer pairs.
func (s *Sandbox) ResetToken(_ context.Context) (string, error) {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	s.c.token = s.c.nextToken()
	return s.c.token, nil
}

// Delete removes a pair (and the default, if it was that pair).
func (s *Sandbox) Delete(_ context.Context, id string) error {
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	if id == "" {
		return fail(http.StatusBadRequest, "Must supply valid cluster ID")
	}
	if _, ok := s.c.pairs[id]; !ok {
		return fail(http.StatusNotFound, "Cannot delete the cluster pair %s : Key not found", id)
	}
	delete(s.c.pairs, id)
	if s.c.defaultID == id {
		s.c.defaultID = ""
	}
	return nil
}

// copyInfo copies a pair, so callers never share the sandbox's pointers.
func copyInfo(p openstorage.APIClusterPairInfo) openstorage.APIClusterPairInfo {
	cp := p
	for _, f := range []**string{&cp.ID, &cp.Name, &cp.Endpoint, &cp.Token} {
		if *f != nil {
			*f = new(**f)
		}
	}
	if p.Mode != nil {
		cp.Mode = new(*p.Mode)
	}
	if p.Options != nil {
		cp.Options = new(maps.Clone(*p.Options))
	}
	return cp
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
