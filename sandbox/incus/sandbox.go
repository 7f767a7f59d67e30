// Package incus is an in-memory Incus cluster that implements the Incus
// handlers' Upstream interface, so clustergate can serve its Incus routes
// (and MCP tools) with no Incus or LXD server at all: a first run, a demo, a
// test.
//
// It behaves like the real daemon seen through adapters/incus: the same
// statuses and messages ("incus: Cluster member not found" 404, "incus: ETag
// doesn't match: …" 412, …), ETags computed as Incus computes them (a SHA-256
// of the JSON of the writable resource, so they change whenever a write
// changes it), operations that finish at once with status Success. Where LXD
// 5.0 and Incus disagree it follows Incus, clustergate's declared upstream;
// tests/contract lists those differences as capabilities of each variant.
//
// All state lives in one Sandbox value guarded by one mutex: every call sees
// and leaves a consistent cluster, and the same calls in the same order give
// the same answers (ids, secrets and fingerprints come from counters, not
// from randomness; only timestamps follow the clock, which WithClock fixes).
package incus

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/lxc/incus/v6/shared/api"

	incusadapter "github.com/clustergate/clustergate/adapters/incus"
	incushandlers "github.com/clustergate/clustergate/handlers/incus"
	"github.com/clustergate/clustergate/internal/apierr"
)

var _ incushandlers.Upstream = (*Sandbox)(nil)

// DefaultMembers are the members New starts with; the first one is the
// server the sandbox answers as (cluster server_name) and the database leader.
var DefaultMembers = []string{"node1", "node2", "node3"}

// joinTokenExpiry is Incus's default cluster.join_token_expiry (3H).
const joinTokenExpiry = 3 * time.Hour

// Sandbox is an in-memory Incus cluster. The zero value is not usable: call
// New or NewStandalone. It is safe for concurrent use.
type Sandbox struct {
	mu         sync.Mutex
	now        func() time.Time
	started    time.Time
	clustered  bool
	serverName string
	members    []*api.ClusterMember // in join order, as Incus lists them
	groups     []*api.ClusterGroup  // in creation order
	ops        map[string]*api.Operation
	seq        int    // feeds operation ids and secrets
	nextAddr   int    // last host number handed to a member address
	certPEM    string // the cluster certificate; its fingerprint is in join tokens
}

// Option configures a Sandbox.
type Option func(*Sandbox)

// WithClock makes the sandbox read the time from now (operation and token
// timestamps, uptime), so tests get fixed answers.
func WithClock(now func() time.Time) Option {
	return func(s *Sandbox) { s.now = now }
}

// New returns a three-member cluster (DefaultMembers), every member Online
// and in group "default", answering as its first member.
func New(opts ...Option) *Sandbox {
	s := newSandbox(opts)
	s.bootstrap(DefaultMembers[0])
	for _, name := range DefaultMembers[1:] {
		s.addMember(name, []string{"database"})
	}
	return s
}

// NewStandalone returns a server that is not clustered yet: UpdateCluster
// with enabled and a server_name bootstraps it into a one-member cluster,
// as `incus cluster enable` does.
func NewStandalone(opts ...Option) *Sandbox {
	return newSandbox(opts)
}

func newSandbox(opts []Option) *Sandbox {
	s := &Sandbox{now: time.Now, ops: map[string]*api.Operation{}, certPEM: "clustergate sandbox cluster certificate"}
	for _, o := range opts {
		o(s)
	}
	s.started = s.now()
	return s
}

// bootstrap makes the server the first member of a new cluster.
func (s *Sandbox) bootstrap(name string) {
	s.clustered, s.serverName = true, name
	s.groups = []*api.ClusterGroup{{
		ClusterGroupPut:  api.ClusterGroupPut{Description: "Default cluster group", Config: api.ConfigMap{}},
		ClusterGroupPost: api.ClusterGroupPost{Name: "default"},
	}}
	s.addMember(name, []string{"database-leader", "database"})
}

// addMember adds an Online member with its own address, in group default.
func (s *Sandbox) addMember(name string, roles []string) {
	s.nextAddr++
	m := &api.ClusterMember{
		ClusterMemberPut: api.ClusterMemberPut{
			Roles: roles, FailureDomain: "default", Config: api.ConfigMap{}, Groups: []string{"default"},
		},
		ServerName: name, URL: fmt.Sprintf("https://10.0.0.%d:8443", s.nextAddr), Database: true,
		Status: "Online", Message: "Fully operational", Architecture: "x86_64",
	}
	s.members = append(s.members, m)
	s.groups[0].Members = append(s.groups[0].Members, name)
}

// member returns the named member, or Incus's 404.
func (s *Sandbox) member(name string) (*api.ClusterMember, error) {
	for _, m := range s.members {
		if m.ServerName == name {
			return m, nil
		}
	}
	return nil, fail(http.StatusNotFound, "Cluster member not found")
}

// notClustered is Incus's answer to cluster routes of a standalone server.
func (s *Sandbox) notClustered() error {
	if s.clustered {
		return nil
	}
	return fail(http.StatusBadRequest, "This server is not clustered")
}

// fail is an error shaped as adapters/incus shapes the daemon's own answers.
func fail(status int, format string, args ...any) error {
	return apierr.Upstream(incusadapter.Name, status, nil, "incus: "+format, args...)
}

// failedOp is adapters/incus's error for an operation that ended in failure.
func failedOp(what, reason string) error {
	return apierr.Upstream(incusadapter.Name, http.StatusConflict, nil, "incus: %s failed: %s", what, reason)
}

// etag is Incus's ETag header for v: the SHA-256 of its JSON encoding
// (EtagHash), quoted, as the client hands the header to the adapter.
func etag(v any) string {
	return `"` + hash(v) + `"`
}

func hash(v any) string {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(v) // api types always encode
	return hex.EncodeToString(h.Sum(nil))
}

// checkETag refuses a write whose non-empty If-Match (quoted or not, as
// Incus trims it) is not the current ETag of v, with Incus's 412.
func checkETag(match string, v any) error {
	match = strings.Trim(match, `"`)
	if match == "" {
		return nil
	}
	if cur := hash(v); cur != match {
		return fail(http.StatusPreconditionFailed, "ETag doesn't match: %s vs %s", cur, match)
	}
	return nil
}

// next returns the next value of the sandbox's counter.
func (s *Sandbox) next() int {
	s.seq++
	return s.seq
}

// hexOf derives a stable hex string from parts: secrets and fingerprints
// look real but are reproducible.
func hexOf(parts ...any) string {
	sum := sha256.Sum256(fmt.Append(nil, parts...))
	return hex.EncodeToString(sum[:])
}

// finishedOp records a task operation that already succeeded and returns a
// copy of it, as the adapter returns an awaited one.
func (s *Sandbox) finishedOp(description, location string, resources map[string][]string) *api.Operation {
	n := s.next()
	now := s.now().UTC()
	op := &api.Operation{
		ID:    fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n),
		Class: api.OperationClassTask, Description: description,
		CreatedAt: now, UpdatedAt: now, Status: api.Success.String(), StatusCode: api.Success,
		Resources: resources, Location: location,
	}
	s.ops[op.ID] = op
	cp := *op
	return &cp
}

// clone deep-copies a member, so callers never share the sandbox's maps
// and slices.
func clone(m *api.ClusterMember) *api.ClusterMember {
	cp := *m
	cp.Roles = append([]string{}, m.Roles...)
	cp.Groups = append([]string{}, m.Groups...)
	cp.Config = make(api.ConfigMap, len(m.Config))
	for k, v := range m.Config {
		cp.Config[k] = v
	}
	return &cp
}

// apiNameEnds is the start-and-end rule of Incus's validate.IsAPIName.
var apiNameEnds = regexp.MustCompile(`^[a-zA-Z0-9]+.*[a-zA-Z0-9]+$`)

// checkAPIName applies Incus's name rules (validate.IsAPIName, with its
// messages) to member and group names. That package is not imported: it
// would pull modules that go.mod does not carry for this one check.
func checkAPIName(value string) error {
	switch {
	case len(value) > 64:
		return errors.New("Maximum name length is 64 characters")
	case strings.IndexFunc(value, unicode.IsSpace) >= 0:
		return errors.New("Name cannot contain white space")
	}
	for _, c := range []string{"$", "?", "&", "+", "\"", "'", "`", "*", "/"} {
		if strings.Contains(value, c) {
			return fmt.Errorf("Name contains invalid character %q", c)
		}
	}
	if !apiNameEnds.MatchString(value) {
		return errors.New("Names must start and end with an alphanumeric character")
	}
	return nil
}
