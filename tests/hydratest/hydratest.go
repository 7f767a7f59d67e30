// Package hydratest starts a real ORY Hydra (OAuth 2 / OIDC server) for
// clustergate's identity tests: tokens come from client_credentials clients
// created on its admin API, signed as JWT access tokens with keys Hydra can
// rotate.
//
// The binary is taken from $HYDRA_BIN or built (cached outside the
// repository) by tests/scripts/build-hydra.sh. When it cannot be had the test
// is skipped, unless $CI is "true", in which case it fails.
package hydratest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/testbin"
)

const (
	readyTimeout = 60 * time.Second
	stopTimeout  = 10 * time.Second
)

// Server is one running Hydra, stopped in t.Cleanup.
type Server struct {
	Issuer string // the public URL, e.g. http://127.0.0.1:PORT (no trailing slash)
	Admin  string // the admin URL

	cmd    *exec.Cmd
	exited chan struct{}
	log    *bytes.Buffer
	logMu  *sync.Mutex
}

// Start starts Hydra on free loopback ports with an in-memory database and
// JWT access tokens, and waits (bounded) until it answers.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, nil)
}

// StartWith is Start with more of Hydra's settings as environment variables
// (e.g. OAUTH2_TOKEN_HOOK to add claims to tokens).
func StartWith(t testing.TB, env map[string]string) *Server {
	t.Helper()
	bin := Binary(t)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a port taken between probe and bind: retry
		s, err := start(bin, env)
		if err == nil {
			t.Cleanup(func() { s.stop(t) })
			return s
		}
		lastErr = err
	}
	t.Fatalf("hydratest: %v", lastErr)
	return nil
}

func start(bin string, extra map[string]string) (*Server, error) {
	pub, err := freePort()
	if err != nil {
		return nil, err
	}
	adm, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Issuer: "http://127.0.0.1:" + pub, Admin: "http://127.0.0.1:" + adm,
		exited: make(chan struct{}), log: &bytes.Buffer{}, logMu: &sync.Mutex{}}
	cmd := exec.Command(bin, "serve", "all", "--dev")
	cmd.Env = append(os.Environ(),
		"DSN=memory", "SECRETS_SYSTEM=clustergate-test-secret-0123456789",
		"URLS_SELF_ISSUER="+s.Issuer, "STRATEGIES_ACCESS_TOKEN=jwt",
		"SERVE_PUBLIC_HOST=127.0.0.1", "SERVE_PUBLIC_PORT="+pub,
		"SERVE_ADMIN_HOST=127.0.0.1", "SERVE_ADMIN_PORT="+adm,
		"LOG_LEVEL=warn", "SQA_OPT_OUT=true",
		// Nothing is fetched from outside: any proxied call fails at once.
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost")
	for k, v := range extra {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	w := &lockedWriter{buf: s.log, mu: s.logMu}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s.cmd = cmd
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("hydra exited before it was ready:\n%s", s.Log())
		case <-time.After(100 * time.Millisecond):
		}
		if ok(s.Admin+"/health/ready") && ok(s.Issuer+"/.well-known/openid-configuration") {
			// The issuer as Hydra spells it (it may add a slash): what
			// tokens carry in iss and what clustergate must be told.
			iss, err := issuer(s.Issuer)
			if err != nil {
				s.kill()
				return nil, err
			}
			s.Issuer = iss
			return s, nil
		}
	}
	s.kill()
	return nil, fmt.Errorf("hydra not ready within %s:\n%s", readyTimeout, s.Log())
}

func issuer(base string) (string, error) {
	resp, err := http.Get(base + "/.well-known/openid-configuration")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Issuer == "" {
		return "", fmt.Errorf("hydra discovery document without issuer: %v", err)
	}
	return doc.Issuer, nil
}

func ok(u string) bool {
	resp, err := http.Get(u)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Client is an OAuth 2 client registered at Hydra.
type Client struct {
	ID, Secret string
}

// CreateClient registers a client_credentials client allowed the given
// scopes and audiences.
func (s *Server) CreateClient(t testing.TB, scopes, audiences []string) Client {
	t.Helper()
	return s.CreateClientWith(t, nil, scopes, audiences)
}

// CreateClientWith is CreateClient with more client settings, such as
// client_credentials_grant_access_token_lifespan.
func (s *Server) CreateClientWith(t testing.TB, extra map[string]any, scopes, audiences []string) Client {
	t.Helper()
	body := map[string]any{"grant_types": []string{"client_credentials"}, "scope": strings.Join(scopes, " "),
		"audience": audiences, "token_endpoint_auth_method": "client_secret_basic"}
	for k, v := range extra {
		body[k] = v
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	s.admin(t, http.MethodPost, "/admin/clients", body, &out)
	return Client{ID: out.ClientID, Secret: out.ClientSecret}
}

// Token gets an access token for c with the scopes and audience asked.
func (s *Server) Token(t testing.TB, c Client, scopes []string, audience string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(scopes, " ")}}
	if audience != "" {
		form.Set("audience", audience)
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(s.Issuer, "/")+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	var out struct {
		AccessToken string `json:"access_token"`
	}
	do(t, req, http.StatusOK, &out)
	return out.AccessToken
}

// RotateKeys makes Hydra sign new access tokens with a fresh key (a new kid);
// the old key stays published, as in a real rotation.
func (s *Server) RotateKeys(t testing.TB) {
	t.Helper()
	s.admin(t, http.MethodPost, "/admin/keys/hydra.jwt.access-token", map[string]any{"alg": "RS256", "use": "sig", "kid": fmt.Sprintf("rotated-%d", time.Now().UnixNano())}, nil)
}

func (s *Server) admin(t testing.TB, method, path string, body, out any) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, s.Admin+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	do(t, req, 0, out)
}

func do(t testing.TB, req *http.Request, want int, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("hydra %s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if (want != 0 && resp.StatusCode != want) || resp.StatusCode >= 300 {
		t.Fatalf("hydra %s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("hydra %s %s: decode %s: %v", req.Method, req.URL.Path, raw, err)
		}
	}
}

// Log is what Hydra printed so far.
func (s *Server) Log() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

func (s *Server) stop(t testing.TB) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		t.Logf("hydratest: hydra (pid %d) ignored SIGTERM for %s; killing it", s.cmd.Process.Pid, stopTimeout)
		s.kill()
	}
}

func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

type lockedWriter struct {
	buf *bytes.Buffer
	mu  *sync.Mutex
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() > 1<<20 {
		w.buf.Reset()
	}
	return w.buf.Write(p)
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

var binary = &testbin.Script{Name: "hydra", Env: "HYDRA_BIN", Script: "tests/scripts/build-hydra.sh"}

// Binary returns the hydra binary, building it on first use.
func Binary(t testing.TB) string {
	t.Helper()
	return binary.Binary(t)
}
