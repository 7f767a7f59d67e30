// Package portworx is an in-memory pair of OpenStorage (Portworx) clusters
// that implements the Portworx handlers' Upstream interface, so clustergate
// can serve its cluster-pair routes with no SDK server at all.
//
// Pairing needs two clusters, so the sandbox is a World of two, A and B,
// each with its own id, legacy API address and pairing token; clustergate is
// served A (New). Pairing A with B's address, port and token records the
// pair on A only, as OpenStorage does; a wrong token, an address no cluster
// of the World has, or A's own address fail with the messages the real SDK
// server gives, shaped (status and "portworx: …" message) as
// adapters/portworx reports them. The shapes of every answer (ids
// "osd-<hex>", 128-hex-digit tokens, endpoints "http://ip:port/", Default
// mode omitted, the first pair becoming the default) are the measured ones,
// see tests/contract.
//
// All state lives in the World behind one mutex; ids and tokens are derived
// from counters, so the same calls give the same answers.
package portworx

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"sync"

	portworxadapter "github.com/clustergate/clustergate/adapters/portworx"
	"github.com/clustergate/clustergate/generated/openstorage"
	portworxhandlers "github.com/clustergate/clustergate/handlers/portworx"
	"github.com/clustergate/clustergate/internal/apierr"
)

var _ portworxhandlers.Upstream = (*Sandbox)(nil)

// LegacyPort is the port of every sandbox cluster's legacy cluster API, the
// remote_cluster_port a pair request names (Portworx serves it on 9001).
const LegacyPort = 9001

// World is a set of OpenStorage clusters that can pair with each other.
type World struct {
	mu       sync.Mutex
	clusters []*cluster
}

// cluster is one OpenStorage cluster of a World.
type cluster struct {
	id, name, ip string
	token        string
	resets       int // how many times the token was reset: feeds the next token
	pairs        map[string]openstorage.APIClusterPairInfo
	defaultID    string
}

// NewWorld returns clusters "cluster-a" (10.0.1.10) and "cluster-b"
// (10.0.2.10), unpaired.
func NewWorld() *World {
	w := &World{}
	for i, name := range []string{"cluster-a", "cluster-b"} {
		c := &cluster{name: name, ip: fmt.Sprintf("10.0.%d.10", i+1), pairs: map[string]openstorage.APIClusterPairInfo{}}
		sum := sha512.Sum512([]byte("cluster id " + name))
		c.id = "osd-" + hex.EncodeToString(sum[:8])
		c.token = c.nextToken()
		w.clusters = append(w.clusters, c)
	}
	return w
}

// A is the first cluster of the World, the one New serves.
func (w *World) A() *Sandbox { return &Sandbox{w: w, c: w.clusters[0]} }

// B is the second cluster of the World, the one A pairs with.
func (w *World) B() *Sandbox { return &Sandbox{w: w, c: w.clusters[1]} }

// nextToken derives the cluster's next pairing token: 128 hex digits like
// the real server's, but reproducible.
func (c *cluster) nextToken() string {
	sum := sha512.Sum512(fmt.Appendf(nil, "pair token %s %d", c.id, c.resets))
	c.resets++
	return hex.EncodeToString(sum[:])
}

// Sandbox is one cluster of a World, seen through its SDK; it implements
// the Portworx handlers' Upstream. It is safe for concurrent use.
type Sandbox struct {
	w *World
	c *cluster
}

// New returns cluster A of a new World (NewWorld().A()); its Peer is B.
func New() *Sandbox { return NewWorld().A() }

// Peer returns the other cluster of the sandbox's World.
func (s *Sandbox) Peer() *Sandbox {
	for _, c := range s.w.clusters {
		if c != s.c {
			return &Sandbox{w: s.w, c: c}
		}
	}
	return nil
}

// ClusterID is the cluster's id: the id of a pair with it, and the
// remote_cluster_id pairing with it answers.
func (s *Sandbox) ClusterID() string { return s.c.id }

// ClusterName is the cluster's name (remote_cluster_name).
func (s *Sandbox) ClusterName() string { return s.c.name }

// Address is where peers reach the cluster's legacy API: the
// remote_cluster_ip and remote_cluster_port of a pair request.
func (s *Sandbox) Address() (ip string, port uint32) { return s.c.ip, LegacyPort }

// lookup finds the World's cluster serving the legacy API at ip:port.
func (w *World) lookup(ip string, port uint32) *cluster {
	if port != LegacyPort {
		return nil
	}
	for _, c := range w.clusters {
		if c.ip == ip {
			return c
		}
	}
	return nil
}

// fail is an error shaped as adapters/portworx shapes the SDK server's
// answers: its message after "portworx: ", with the status the adapter maps
// it to.
func fail(status int, format string, args ...any) error {
	return apierr.Upstream(portworxadapter.Name, status, nil, "portworx: "+format, args...)
}

// hostPort renders ip and port as the server's messages do.
func hostPort(ip string, port uint32) string {
	return net.JoinHostPort(ip, strconv.FormatUint(uint64(port), 10))
}

// PairingHint says how to pair this cluster with its peer through the
// facade: the peer's address and current token (made-up values, the same on
// every start). /readyz and the start-up log carry it, so the sandbox can be
// paired without reading this code.
func (s *Sandbox) PairingHint() string {
	p := s.Peer()
	s.w.mu.Lock()
	defer s.w.mu.Unlock()
	return fmt.Sprintf("to pair, POST /v1/v1/clusterpairs {\"request\":{\"remote_cluster_ip\":%q,\"remote_cluster_port\":%d,\"remote_cluster_token\":%q}} (the sandbox's second cluster, %s)",
		p.c.ip, LegacyPort, p.c.token, p.c.name)
}
