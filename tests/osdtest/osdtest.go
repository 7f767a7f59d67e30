// Package osdtest starts real OpenStorage SDK servers (the REST gateway that
// Portworx also serves) for end-to-end tests of the cluster-pair facade.
//
// Each Server is a separate osdserver process (module tests/upstreams/osdserver,
// openstorage v9.4.47) listening on loopback with kernel-chosen ports. It
// serves the SDK gRPC API, the SDK REST gateway (/v1/clusterpairs, ...) and
// the legacy cluster REST API port that a peer's ClusterPair Create dials
// (POST /v1/cluster/pair), so two Servers can pair with each other:
//
//	a := osdtest.Start(t, osdtest.Options{})
//	b := osdtest.Start(t, osdtest.Options{})
//	// POST a.URL()+"/v1/clusterpairs" with
//	// remote_cluster_ip=b.LegacyHost(), remote_cluster_port=b.LegacyPort(),
//	// remote_cluster_token=<GET b.URL()+"/v1/clusterpairs/token">
//
// The binary is taken from $OSDSERVER_BIN, or built (and cached outside the
// repository) by tests/scripts/build-osdserver.sh. When it cannot be obtained
// the test is skipped, unless $CI is "true", in which case it fails.
package osdtest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/testbin"
)

// Timeouts for the process lifecycle: generous for slow CI machines, but
// bounded so that a wedged server fails the test instead of hanging it.
const (
	// DefaultReadyTimeout bounds the wait for the READY line of one start attempt.
	DefaultReadyTimeout = 60 * time.Second
	termTimeout         = 10 * time.Second // SIGTERM -> exit, then SIGKILL
	killTimeout         = 5 * time.Second  // SIGKILL -> reaped
	startAttempts       = 3                // a REST port race makes the server exit; retry
	stderrKeepBytes     = 256 << 10
	stderrTailBytes     = 6 << 10
)

// DefaultJWTIssuer is the issuer osdserver accepts for shared-secret tokens
// when Options.JWTIssuer is empty.
const DefaultJWTIssuer = "openstorage.io"

// Options configures one osdserver instance. The zero value starts an
// instance without authentication and with a random cluster id.
type Options struct {
	// ClusterID is the cluster UUID: what peers report as remote_cluster_id
	// and the id of a pair with this cluster. Empty means random.
	ClusterID string
	// ClusterName is the openstorage cluster name (remote_cluster_name).
	// Empty means "osdserver".
	ClusterName string
	// JWTSharedSecret, when set, enables SDK authentication with a
	// shared-secret (HS256) JWT authenticator for JWTIssuer.
	JWTSharedSecret string
	// JWTIssuer is the iss claim accepted for JWTSharedSecret tokens.
	// Empty means DefaultJWTIssuer.
	JWTIssuer string
	// TLSCertFile and TLSKeyFile, when set, make the SDK REST gateway serve
	// HTTPS with this PEM certificate and key (URL is then https). The SDK
	// server has no setting for client certificates.
	TLSCertFile, TLSKeyFile string
	// ExtraArgs are appended to the osdserver command line (see osdserver -h).
	ExtraArgs []string
	// ReadyTimeout bounds the wait for the READY line; zero means
	// DefaultReadyTimeout.
	ReadyTimeout time.Duration
}

// Server is a running osdserver process. It is stopped in t.Cleanup.
type Server struct {
	// REST is host:port of the SDK REST gateway (/v1/clusterpairs, ...).
	REST string
	// GRPC is host:port of the SDK gRPC server.
	GRPC string
	// Legacy is host:port of the legacy cluster REST API, the endpoint a
	// peer's ClusterPair Create must be given (it serves POST /v1/cluster/pair).
	Legacy string
	// ClusterID is the cluster UUID (the pair id peers see for this cluster).
	ClusterID string
	// ClusterName is the openstorage cluster name.
	ClusterName string
	// AuthEnabled reports whether JWT authentication is on.
	AuthEnabled bool
	// JWTSharedSecret is the secret tokens must be signed with (auth only).
	JWTSharedSecret string
	// JWTIssuer is the issuer tokens must carry (auth only).
	JWTIssuer string
	// Bin is the osdserver binary that runs this server.
	Bin string
	// TLS reports whether the REST gateway serves HTTPS.
	TLS bool

	cmd     *exec.Cmd
	stdin   io.WriteCloser // held open for the server's lifetime
	stderr  *tailBuffer
	exited  chan struct{}
	waitErr error
	stopped bool
}

// Start starts an osdserver with free loopback ports, waits (bounded) for
// its READY line and registers its shutdown (SIGTERM, then SIGKILL) with
// t.Cleanup. Failure messages include the tail of the server's stderr.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := Binary(t)
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	if opts.JWTSharedSecret != "" && opts.JWTIssuer == "" {
		opts.JWTIssuer = DefaultJWTIssuer
	}
	var errs []string
	for attempt := 1; attempt <= startAttempts; attempt++ {
		s, retry, err := start(t, bin, opts)
		if err == nil {
			return s
		}
		errs = append(errs, fmt.Sprintf("attempt %d: %v", attempt, err))
		if !retry {
			break
		}
	}
	t.Fatalf("osdtest: start %s:\n%s", bin, strings.Join(errs, "\n"))
	return nil
}

func start(t testing.TB, bin string, opts Options) (s *Server, retry bool, err error) {
	// --exit-on-stdin-eof: if this test process dies without running its
	// cleanups (e.g. a go test timeout), the pipe closes and the server exits.
	args := []string{"--host", "127.0.0.1", "--exit-on-stdin-eof"}
	if opts.ClusterID != "" {
		args = append(args, "--cluster-id", opts.ClusterID)
	}
	if opts.ClusterName != "" {
		args = append(args, "--cluster-name", opts.ClusterName)
	}
	if opts.JWTSharedSecret != "" {
		args = append(args, "--jwt-shared-secret", opts.JWTSharedSecret, "--jwt-issuer", opts.JWTIssuer)
	}
	if opts.TLSCertFile != "" {
		args = append(args, "--tls-cert", opts.TLSCertFile, "--tls-key", opts.TLSKeyFile)
	}
	args = append(args, opts.ExtraArgs...)

	s = &Server{
		Bin:             bin,
		TLS:             opts.TLSCertFile != "",
		JWTSharedSecret: opts.JWTSharedSecret,
		JWTIssuer:       opts.JWTIssuer,
		stderr:          &tailBuffer{max: stderrKeepBytes},
		exited:          make(chan struct{}),
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, false, err
	}
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, false, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("exec: %w", err)
	}

	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if !sent && strings.HasPrefix(line, "READY ") {
				ready <- line
				sent = true
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		s.waitErr = s.cmd.Wait() // closes stdout after the process exits
		close(s.exited)
	}()

	timer := time.NewTimer(opts.ReadyTimeout)
	defer timer.Stop()
	select {
	case line := <-ready:
		if err := s.parseReady(line); err != nil {
			s.stop()
			return nil, false, fmt.Errorf("%v\n%s", err, s.StderrTail())
		}
	case <-s.exited:
		// Most likely the REST port chosen up front was taken meanwhile.
		return nil, true, fmt.Errorf("osdserver exited before READY (%v); stderr tail:\n%s", s.waitErr, s.StderrTail())
	case <-timer.C:
		s.stop()
		return nil, false, fmt.Errorf("no READY line within %v; stderr tail:\n%s", opts.ReadyTimeout, s.StderrTail())
	}

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("osdtest: osdserver %s (pid %d) stderr tail:\n%s", s.REST, s.PID(), s.StderrTail())
		}
		if err := s.stop(); err != nil {
			t.Errorf("osdtest: stop osdserver %s (pid %d): %v; stderr tail:\n%s", s.REST, s.PID(), err, s.StderrTail())
		}
	})
	return s, false, nil
}

func (s *Server) parseReady(line string) error {
	fields := map[string]string{}
	for _, f := range strings.Fields(strings.TrimPrefix(line, "READY ")) {
		if k, v, ok := strings.Cut(f, "="); ok {
			fields[k] = v
		}
	}
	s.REST, s.GRPC, s.Legacy = fields["rest"], fields["grpc"], fields["legacy"]
	s.ClusterID, s.ClusterName = fields["cluster_id"], fields["cluster_name"]
	s.AuthEnabled = fields["auth"] == "true"
	for k, v := range map[string]string{"rest": s.REST, "grpc": s.GRPC, "legacy": s.Legacy} {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("bad READY line %q: %s: %v", line, k, err)
		}
	}
	return nil
}

// URL is the base URL of the SDK REST gateway, e.g. "http://127.0.0.1:41234"
// ("https://…" with TLS).
func (s *Server) URL() string {
	if s.TLS {
		return "https://" + s.REST
	}
	return "http://" + s.REST
}

// LegacyHost is the IP to send as remote_cluster_ip when pairing with s.
func (s *Server) LegacyHost() string {
	h, _, _ := net.SplitHostPort(s.Legacy)
	return h
}

// LegacyPort is the port to send as remote_cluster_port when pairing with s:
// the legacy cluster REST API port, not the SDK REST gateway port.
func (s *Server) LegacyPort() int {
	_, p, _ := net.SplitHostPort(s.Legacy)
	n, _ := strconv.Atoi(p)
	return n
}

// PID is the process id of the server.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// StderrTail returns the last few KiB the server wrote to stderr (its
// logrus log and the SDK access/audit logs).
func (s *Server) StderrTail() string { return s.stderr.Tail(stderrTailBytes) }

// Stop stops the server now (SIGTERM, then SIGKILL after a bounded wait) and
// returns an error if it did not exit cleanly. Calling it is optional: the
// server is stopped in t.Cleanup anyway. Later calls are no-ops.
func (s *Server) Stop() error { return s.stop() }

func (s *Server) stop() error {
	if s.stopped || s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	s.stopped = true
	select {
	case <-s.exited:
		return fmt.Errorf("osdserver had already exited: %v", s.waitErr)
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return s.waitErr // nil on exit status 0
	case <-time.After(termTimeout):
	}
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
		return fmt.Errorf("did not exit within %v of SIGTERM; killed", termTimeout)
	case <-time.After(killTimeout):
		return fmt.Errorf("did not exit within %v of SIGTERM nor %v of SIGKILL", termTimeout, killTimeout)
	}
}

// AdminToken returns a token that GetToken accepts: role system.admin and
// group "*". It fails the test if s was started without JWTSharedSecret.
func (s *Server) AdminToken(t testing.TB) string {
	t.Helper()
	return s.Token(t, Claims{Subject: "admin", Roles: []string{"system.admin"}, Groups: []string{"*"}})
}

// Token returns a token for c signed with s's shared secret; c.Issuer
// defaults to s's issuer. It fails the test if auth is off.
func (s *Server) Token(t testing.TB, c Claims) string {
	t.Helper()
	if s.JWTSharedSecret == "" {
		t.Fatalf("osdtest: Token: server %s was started without JWTSharedSecret", s.REST)
	}
	if c.Issuer == "" {
		c.Issuer = s.JWTIssuer
	}
	tok, err := MintToken(s.JWTSharedSecret, c, time.Hour)
	if err != nil {
		t.Fatalf("osdtest: Token: %v", err)
	}
	return tok
}

var binary = &testbin.Script{Name: "osdserver", Env: "OSDSERVER_BIN", Script: "tests/scripts/build-osdserver.sh"}

// Binary returns the osdserver binary: $OSDSERVER_BIN if set, otherwise the
// path printed by tests/scripts/build-osdserver.sh (run once per test
// process). If that fails it skips the test, or fails it when $CI is "true".
func Binary(t testing.TB) string {
	t.Helper()
	return binary.Binary(t)
}

// tailBuffer is an io.Writer keeping the last max bytes written.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append(b.buf[:0:0], b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

// Tail returns up to n of the last bytes written.
func (b *tailBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return lastBytes(string(b.buf), n)
}

func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return "...\n" + s
}
