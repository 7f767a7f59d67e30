package osdtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/osdtest"
)

var httpClient = &http.Client{Timeout: 30 * time.Second}

type reply struct {
	status int
	body   string
}

// call sends one request with plain net/http and logs the exchange: the
// statuses and bodies are the wire facts the facade's mapping relies on.
func call(t *testing.T, method, url, token string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	r := reply{resp.StatusCode, string(b)}
	t.Logf("%s %s -> %d %s", method, strings.TrimPrefix(url, "http://"), r.status, strings.TrimSpace(r.body))
	return r
}

func expectStatus(t *testing.T, what string, r reply, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d; body: %s", what, r.status, want, r.body)
	}
}

// decode unmarshals a JSON body into v.
func decode(t *testing.T, what string, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("%s: decode %q: %v", what, r.body, err)
	}
}

// gwError is the grpc-gateway error body.
type gwError struct {
	Error   string `json:"error"`
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details"`
}

func expectGatewayError(t *testing.T, what string, r reply, status, code int, msgContains string) gwError {
	t.Helper()
	expectStatus(t, what, r, status)
	var e gwError
	decode(t, what, r, &e)
	if e.Code != code || e.Error != e.Message || !strings.Contains(e.Message, msgContains) {
		t.Fatalf("%s: got code=%d error=%q message=%q, want code=%d and a message containing %q",
			what, e.Code, e.Error, e.Message, code, msgContains)
	}
	return e
}

type createRequest struct {
	RemoteClusterIP    string `json:"remote_cluster_ip"`
	RemoteClusterPort  int    `json:"remote_cluster_port"`
	RemoteClusterToken string `json:"remote_cluster_token"`
	SetDefault         bool   `json:"set_default"`
	Mode               string `json:"mode,omitempty"`
}

func pairWith(b *osdtest.Server, token string) map[string]any {
	return map[string]any{"request": createRequest{
		RemoteClusterIP:    b.LegacyHost(),
		RemoteClusterPort:  b.LegacyPort(),
		RemoteClusterToken: token,
		SetDefault:         true,
		Mode:               "DisasterRecovery",
	}}
}

func getToken(t *testing.T, s *osdtest.Server, auth string) string {
	t.Helper()
	r := call(t, http.MethodGet, s.URL()+"/v1/clusterpairs/token", auth, nil)
	expectStatus(t, "GetToken", r, http.StatusOK)
	var tok struct {
		Result struct {
			Token string `json:"token"`
		} `json:"result"`
	}
	decode(t, "GetToken", r, &tok)
	if tok.Result.Token == "" {
		t.Fatalf("GetToken: empty token in %s", r.body)
	}
	return tok.Result.Token
}

// TestClusterPairLifecycle pairs two real SDK servers over loopback through
// the REST gateway and records every status and body on the way.
func TestClusterPairLifecycle(t *testing.T) {
	a := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-a"})
	b := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-b"})
	t.Logf("A: rest=%s legacy=%s id=%s; B: rest=%s legacy=%s id=%s",
		a.REST, a.Legacy, a.ClusterID, b.REST, b.Legacy, b.ClusterID)

	// Enumerate with no pairs: empty result object (zero values omitted).
	r := call(t, http.MethodGet, a.URL()+"/v1/clusterpairs", "", nil)
	expectStatus(t, "Enumerate (empty)", r, http.StatusOK)
	if strings.TrimSpace(r.body) != `{"result":{}}` {
		t.Fatalf("Enumerate (empty): body %s, want {\"result\":{}}", r.body)
	}

	// B's pair token (no auth: a 128 hex digit random string).
	tokenB := getToken(t, b, "")
	if len(tokenB) != 128 {
		t.Errorf("GetToken: token %q has %d chars, want 128 hex digits", tokenB, len(tokenB))
	}

	// Create on A, pairing with B's legacy cluster API port.
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", pairWith(b, tokenB))
	expectStatus(t, "Create", r, http.StatusOK)
	var created struct {
		Result struct {
			RemoteClusterID   string `json:"remote_cluster_id"`
			RemoteClusterName string `json:"remote_cluster_name"`
		} `json:"result"`
	}
	decode(t, "Create", r, &created)
	if created.Result.RemoteClusterID != b.ClusterID || created.Result.RemoteClusterName != "cluster-b" {
		t.Fatalf("Create: result %+v, want remote_cluster_id=%s remote_cluster_name=cluster-b", created.Result, b.ClusterID)
	}
	id := created.Result.RemoteClusterID

	// Enumerate shows it, as the default pair.
	r = call(t, http.MethodGet, a.URL()+"/v1/clusterpairs", "", nil)
	expectStatus(t, "Enumerate", r, http.StatusOK)
	var list struct {
		Result struct {
			DefaultID string                    `json:"default_id"`
			Pairs     map[string]map[string]any `json:"pairs"`
		} `json:"result"`
	}
	decode(t, "Enumerate", r, &list)
	pair, ok := list.Result.Pairs[id]
	if !ok || list.Result.DefaultID != id {
		t.Fatalf("Enumerate: want pair %s as default, got %s", id, r.body)
	}
	if pair["mode"] != "DisasterRecovery" || pair["token"] != tokenB || pair["name"] != "cluster-b" ||
		pair["endpoint"] != "http://"+b.Legacy+"/" {
		t.Fatalf("Enumerate: unexpected pair info %v", pair)
	}

	// Inspect.
	r = call(t, http.MethodGet, a.URL()+"/v1/clusterpairs/inspect/"+id, "", nil)
	expectStatus(t, "Inspect", r, http.StatusOK)
	var inspected struct {
		Result struct {
			PairInfo map[string]any `json:"pair_info"`
		} `json:"result"`
	}
	decode(t, "Inspect", r, &inspected)
	if inspected.Result.PairInfo["id"] != id || inspected.Result.PairInfo["mode"] != "DisasterRecovery" {
		t.Fatalf("Inspect: unexpected %s", r.body)
	}

	// B does not record the pair: pairing is one-directional.
	r = call(t, http.MethodGet, b.URL()+"/v1/clusterpairs", "", nil)
	expectStatus(t, "Enumerate on B", r, http.StatusOK)
	if strings.TrimSpace(r.body) != `{"result":{}}` {
		t.Fatalf("Enumerate on B: body %s, want {\"result\":{}}", r.body)
	}

	// Delete, then delete again: a missing pair is Internal (500, code 13).
	r = call(t, http.MethodDelete, a.URL()+"/v1/clusterpairs/"+id, "", nil)
	expectStatus(t, "Delete", r, http.StatusOK)
	if strings.TrimSpace(r.body) != `{}` {
		t.Fatalf("Delete: body %s, want {}", r.body)
	}
	r = call(t, http.MethodDelete, a.URL()+"/v1/clusterpairs/"+id, "", nil)
	expectGatewayError(t, "Delete again", r, http.StatusInternalServerError, 13,
		"Cannot delete the cluster pair "+id+" : Key not found")

	r = call(t, http.MethodGet, a.URL()+"/v1/clusterpairs", "", nil)
	expectStatus(t, "Enumerate after delete", r, http.StatusOK)
	if strings.TrimSpace(r.body) != `{"result":{}}` {
		t.Fatalf("Enumerate after delete: body %s, want {\"result\":{}}", r.body)
	}

	// Inspect a missing pair: "not found" is Internal (500, code 13).
	r = call(t, http.MethodGet, a.URL()+"/v1/clusterpairs/inspect/"+id, "", nil)
	expectGatewayError(t, "Inspect missing", r, http.StatusInternalServerError, 13,
		"Cannot Get cluster information for "+id+" : Cluster pair for id "+id+" not found")

	// Create with a wrong token.
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", pairWith(b, "wrong-token"))
	expectGatewayError(t, "Create with wrong token", r, http.StatusInternalServerError, 13,
		"Cannot create cluster with remote pair 127.0.0.1 : Error from remote cluster: Token mismatch during pairing")

	// Create given B's SDK REST gateway port instead of its legacy port.
	wrongPort := pairWith(b, tokenB)
	wrongPort["request"] = createRequest{RemoteClusterIP: b.LegacyHost(), RemoteClusterPort: portOf(t, b.REST),
		RemoteClusterToken: tokenB, Mode: "DisasterRecovery"}
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", wrongPort)
	expectGatewayError(t, "Create with SDK REST port", r, http.StatusInternalServerError, 13,
		"Error from remote cluster: Not Found")

	// Create against a port nobody listens on.
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", map[string]any{"request": createRequest{
		RemoteClusterIP: "127.0.0.1", RemoteClusterPort: 9, RemoteClusterToken: tokenB}})
	expectGatewayError(t, "Create unreachable", r, http.StatusInternalServerError, 13,
		`Error from remote cluster: Error: Post "http://127.0.0.1:9/v1/cluster/pair": dial tcp 127.0.0.1:9: connect: connection refused`)

	// Create with no request object.
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", map[string]any{})
	expectGatewayError(t, "Create without request", r, http.StatusBadRequest, 3, "Must supply valid request")

	// ResetToken on B: a new token; the old one no longer pairs.
	r = call(t, http.MethodPost, b.URL()+"/v1/clusterpairs/token", "", map[string]any{})
	expectStatus(t, "ResetToken", r, http.StatusOK)
	var reset struct {
		Result struct {
			Token string `json:"token"`
		} `json:"result"`
	}
	decode(t, "ResetToken", r, &reset)
	if reset.Result.Token == "" || reset.Result.Token == tokenB {
		t.Fatalf("ResetToken: want a new token, got %s", r.body)
	}
	if got := getToken(t, b, ""); got != reset.Result.Token {
		t.Fatalf("GetToken after ResetToken: %q, want %q", got, reset.Result.Token)
	}
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", pairWith(b, tokenB))
	expectGatewayError(t, "Create with pre-reset token", r, http.StatusInternalServerError, 13, "Token mismatch during pairing")
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", pairWith(b, reset.Result.Token))
	expectStatus(t, "Create with reset token", r, http.StatusOK)

	// A pairing with itself.
	tokenA := getToken(t, a, "")
	r = call(t, http.MethodPost, a.URL()+"/v1/clusterpairs", "", pairWith(a, tokenA))
	expectGatewayError(t, "Create with self", r, http.StatusInternalServerError, 13,
		"Error from remote cluster: Cannot create cluster pair with self")

	// Unknown route on the gateway: plain-text 404, not a JSON error.
	r = call(t, http.MethodGet, a.URL()+"/v1/clusterpairs/nope/x/y", "", nil)
	expectStatus(t, "unknown route", r, http.StatusNotFound)
}

func portOf(t *testing.T, hostport string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAuth runs one instance with shared-secret JWT auth. Note the split the
// facade must map: no token is a guest (403, code 7), an unparsable token or
// unknown issuer is 401 (code 16), a bad signature or expiry is 403 (code 7),
// a role without the permission is 403 (code 7), and GetToken by a
// system.admin without group "*" is 401 (code 16).
func TestAuth(t *testing.T) {
	const secret = "osdtest-shared-secret"
	s := osdtest.Start(t, osdtest.Options{JWTSharedSecret: secret, JWTIssuer: "clustergate-tests"})
	if !s.AuthEnabled {
		t.Fatal("READY line reports auth=false")
	}
	url := s.URL() + "/v1/clusterpairs/token"

	r := call(t, http.MethodGet, url, "", nil)
	expectGatewayError(t, "GetToken without token (guest)", r, http.StatusForbidden, 7, "Access denied without authentication token")

	r = call(t, http.MethodGet, s.URL()+"/v1/clusterpairs", "", nil)
	expectGatewayError(t, "Enumerate without token (guest)", r, http.StatusForbidden, 7, "Access denied without authentication token")

	r = call(t, http.MethodGet, url, "not-a-jwt", nil)
	expectGatewayError(t, "GetToken with a non-JWT", r, http.StatusUnauthorized, 16, "Unable to obtain token issuer from authorization token")

	bad, err := osdtest.MintToken("some-other-secret", osdtest.Claims{Issuer: "clustergate-tests", Subject: "admin",
		Roles: []string{"system.admin"}, Groups: []string{"*"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r = call(t, http.MethodGet, url, bad, nil)
	expectGatewayError(t, "GetToken with a bad signature", r, http.StatusForbidden, 7, "Unable to authenticate token")

	other := s.Token(t, osdtest.Claims{Issuer: "someone-else", Subject: "admin", Roles: []string{"system.admin"}, Groups: []string{"*"}})
	r = call(t, http.MethodGet, url, other, nil)
	expectGatewayError(t, "GetToken with an unknown issuer", r, http.StatusUnauthorized, 16, "someone-else is not a trusted issuer")

	expired, err := osdtest.MintToken(secret, osdtest.Claims{Issuer: "clustergate-tests", Subject: "admin",
		Roles: []string{"system.admin"}, Groups: []string{"*"}}, -time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r = call(t, http.MethodGet, url, expired, nil)
	expectGatewayError(t, "GetToken with an expired token", r, http.StatusForbidden, 7, "Unable to authenticate token")

	user := s.Token(t, osdtest.Claims{Subject: "alice", Roles: []string{"system.user"}})
	r = call(t, http.MethodGet, url, user, nil)
	expectGatewayError(t, "GetToken as system.user", r, http.StatusForbidden, 7, "Access to /openstorage.api.OpenStorageClusterPair/GetToken denied: rpc error: code = PermissionDenied desc = Access denied to roles: [system.user]")

	r = call(t, http.MethodGet, s.URL()+"/v1/clusterpairs", user, nil)
	expectGatewayError(t, "Enumerate as system.user", r, http.StatusForbidden, 7, "Access to /openstorage.api.OpenStorageClusterPair/Enumerate denied: rpc error: code = PermissionDenied desc = Access denied to roles: [system.user]")

	adminNoGroup := s.Token(t, osdtest.Claims{Subject: "bob", Roles: []string{"system.admin"}})
	r = call(t, http.MethodGet, url, adminNoGroup, nil)
	expectGatewayError(t, "GetToken as system.admin without group *", r, http.StatusUnauthorized, 16, "Must be system admin to get pair token")

	admin := s.AdminToken(t)
	tok := getToken(t, s, admin)
	// With auth on, the pair token is a system JWT (issuer = cluster name).
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("GetToken (admin): pair token %q is not a JWT", tok)
	}

	r = call(t, http.MethodGet, s.URL()+"/v1/clusterpairs", admin, nil)
	expectStatus(t, "Enumerate (admin)", r, http.StatusOK)

	// Pairing from the auth-enabled instance needs the admin token on its SDK;
	// the remote's legacy pair endpoint only checks the pair token.
	d := osdtest.Start(t, osdtest.Options{ClusterName: "cluster-d"})
	tokenD := getToken(t, d, "")
	viewer := s.Token(t, osdtest.Claims{Subject: "victor", Roles: []string{"system.view"}})
	r = call(t, http.MethodPost, s.URL()+"/v1/clusterpairs", viewer, pairWith(d, tokenD))
	expectGatewayError(t, "Create as system.view", r, http.StatusForbidden, 7,
		"Access to /openstorage.api.OpenStorageClusterPair/Create denied: rpc error: code = PermissionDenied desc = Access denied to roles: [system.view]")
	r = call(t, http.MethodPost, s.URL()+"/v1/clusterpairs", admin, pairWith(d, tokenD))
	expectStatus(t, "Create (admin)", r, http.StatusOK)
	r = call(t, http.MethodGet, s.URL()+"/v1/clusterpairs/inspect/"+d.ClusterID, viewer, nil)
	expectStatus(t, "Inspect as system.view", r, http.StatusOK)
	r = call(t, http.MethodDelete, s.URL()+"/v1/clusterpairs/"+d.ClusterID, viewer, nil)
	expectGatewayError(t, "Delete as system.view", r, http.StatusForbidden, 7,
		"Access to /openstorage.api.OpenStorageClusterPair/Delete denied: rpc error: code = PermissionDenied desc = Access denied to roles: [system.view]")
	r = call(t, http.MethodDelete, s.URL()+"/v1/clusterpairs/"+d.ClusterID, admin, nil)
	expectStatus(t, "Delete (admin)", r, http.StatusOK)

	// The binary's mint-token subcommand produces an equally valid token.
	out, err := exec.Command(s.Bin, "mint-token", "--secret", secret, "--issuer", "clustergate-tests",
		"--subject", "carol", "--roles", "system.admin", "--groups", "*").Output()
	if err != nil {
		t.Fatalf("mint-token: %v", err)
	}
	getToken(t, s, strings.TrimSpace(string(out)))
}
