// Package docs_test renders clustergate's /docs page in headless Chromium,
// offline, against the real merged OpenAPI document, and checks that every
// route and its summary shows up, that the page fetched nothing but its own
// files and /openapi.json, and that the browser saw no CSP violation or
// script error.
//
// Chromium comes from Debian's chromium package (bash
// tests/scripts/install-chromium.sh). Without it the browser tests skip,
// unless CI=true, where they fail.
package docs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image"
	"image/png"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/clustergate/clustergate/internal/app"
	"github.com/clustergate/clustergate/internal/config"
	"github.com/clustergate/clustergate/internal/docs"
)

// stack builds clustergate as `serve` does, from env alone, with /docs wired
// the way internal/server wires it (added here if the server does not yet).
func stack(t *testing.T, env map[string]string) *echo.Echo {
	t.Helper()
	cfg, err := config.Load(flag.NewFlagSet("docs", flag.ContinueOnError), nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	e := st.Echo
	probe := httptest.NewRecorder()
	e.ServeHTTP(probe, httptest.NewRequest(http.MethodGet, docs.Path, nil))
	if probe.Code != http.StatusOK {
		e.GET(docs.Path, echo.WrapHandler(docs.Handler()))
		e.GET(docs.Path+"/*", echo.WrapHandler(docs.Handler()))
	}
	return e
}

// operation is one route of the served document.
type operation struct{ method, path, summary string }

func operations(t *testing.T, spec []byte) []operation {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []operation
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				Summary string `json:"summary"`
			}
			if json.Unmarshal(raw, &op) != nil {
				continue // parameters and other non-operation keys
			}
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
				ops = append(ops, operation{method, path, op.Summary})
			}
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	return ops
}

// recorder serves h and remembers every path asked for.
type recorder struct {
	h     http.Handler
	mu    sync.Mutex
	paths map[string]int
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.paths[req.URL.Path]++
	r.mu.Unlock()
	r.h.ServeHTTP(w, req)
}

func (r *recorder) seen() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.paths)
}

// chromium returns the browser, or skips (fails under CI=true) without one.
func chromium(t *testing.T) string {
	t.Helper()
	for _, c := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	const how = "chromium is not installed: run bash tests/scripts/install-chromium.sh (as root)"
	if os.Getenv("CI") == "true" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// browse runs headless Chromium on url with action flags (--dump-dom,
// --screenshot=…) and returns its stdout and stderr. The flags keep it
// offline: no host name resolves (only 127.0.0.1 literals connect), no proxy,
// no background, component, sync, metrics or crash-report traffic, and the
// update and sign-in services Chromium calls anyway point at 127.0.0.1:9, a
// port Chromium refuses to connect to (ERR_UNSAFE_PORT). The browser's net
// log then proves it: every connection went to loopback.
func browse(t *testing.T, bin, url string, action ...string) (stdout, stderr []byte) {
	t.Helper()
	dir := t.TempDir()
	netLog := filepath.Join(dir, "netlog.json")
	const nowhere = "http://127.0.0.1:9/"
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
		"--no-proxy-server", "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps",
		"--disable-domain-reliability", "--no-pings", "--disable-breakpad", "--no-default-browser-check",
		"--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication," +
			"CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying",
		"--component-updater=url-source=" + nowhere, "--gaia-url=" + nowhere,
		"--log-net-log=" + netLog,
		"--hide-scrollbars", "--lang=en-US", "--window-size=1280,2400",
		"--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=10000",
	}
	args = append(append(args, action...), url)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	// /usr/bin/chromium is a shell wrapper: kill its whole process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	t.Logf("chromium %s: %s", strings.Join(action, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("chromium %v: %v\nstderr:\n%s", action, err, errb.String())
	}
	label := strings.TrimPrefix(strings.SplitN(action[0], "=", 2)[0], "--")
	checkOffline(t, netLog, label)
	return out.Bytes(), errb.Bytes()
}

// checkOffline reads Chromium's net log and fails on any request or TCP
// connection to a non-loopback address, and on any UDP datagram sent.
// Chromium's IPv6 reachability probe connect()s a UDP socket to a public
// address to learn the route; that sends nothing, and is only logged.
func checkOffline(t *testing.T, path, label string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("chromium wrote no net log: %v", err)
		return
	}
	keep(t, label+"-netlog.json", b)
	var nl struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int            `json:"type"`
			Params map[string]any `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &nl); err != nil {
		t.Errorf("chromium's net log %s does not parse (did it exit cleanly?): %v", path, err)
		return
	}
	name := map[int]string{}
	for k, v := range nl.Constants.LogEventTypes {
		name[v] = k
	}
	loopback := func(hostport string) bool {
		host, _, err := net.SplitHostPort(hostport)
		if err != nil {
			host = hostport
		}
		ip, err := netip.ParseAddr(host)
		return err == nil && ip.IsLoopback()
	}
	requests, probed := 0, map[string]bool{}
	for _, ev := range nl.Events {
		switch typ := name[ev.Type]; typ {
		case "URL_REQUEST_START_JOB":
			if raw, ok := ev.Params["url"].(string); ok {
				requests++
				if u, err := neturl.Parse(raw); err != nil || !loopback(u.Host) && !loopback(u.Hostname()) {
					t.Errorf("chromium requested %s: only clustergate on 127.0.0.1 may be reached", raw)
				}
			}
		case "TCP_CONNECT_ATTEMPT", "TCP_CONNECT":
			if addr, ok := ev.Params["address"].(string); ok && !loopback(addr) {
				t.Errorf("chromium opened a TCP connection to %s", addr)
			}
		case "UDP_CONNECT":
			if addr, ok := ev.Params["address"].(string); ok && !loopback(addr) && !probed[addr] {
				probed[addr] = true
				t.Logf("chromium connect()ed a UDP socket to %s (its route probe; no datagram is sent)", addr)
			}
		case "UDP_BYTES_SENT", "SSL_SOCKET_BYTES_SENT":
			t.Errorf("chromium sent %s: %v", typ, ev.Params)
		}
	}
	if requests == 0 {
		t.Errorf("chromium's net log %s records no request: is --log-net-log still honoured?", path)
	}
}

// keep writes name into $CLUSTERGATE_DOCS_KEEP, when set, to look at later.
func keep(t *testing.T, name string, b []byte) {
	if dir := os.Getenv("CLUSTERGATE_DOCS_KEEP"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Log(err)
		}
	}
}

// textEscape is how Chromium serializes text nodes.
var textEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")

// consoleProblems returns the browser's console lines that report a CSP
// violation, a failed load or a script error.
func consoleProblems(stderr []byte) []string {
	var bad []string
	re := regexp.MustCompile(`Content Security Policy|Refused to|net::ERR_|Uncaught|Failed to load|ERR_NAME_NOT_RESOLVED`)
	for line := range strings.Lines(string(stderr)) {
		if strings.Contains(line, "CONSOLE") && re.MatchString(line) {
			bad = append(bad, strings.TrimSpace(line))
		}
	}
	return bad
}

func TestDocsPageRendersInChromium(t *testing.T) {
	bin := chromium(t)
	rec := &recorder{h: stack(t, nil), paths: map[string]int{}}
	srv := httptest.NewServer(rec) // 127.0.0.1:0
	t.Cleanup(srv.Close)

	res, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := io.ReadAll(res.Body)
	res.Body.Close()
	ops := operations(t, spec)
	if len(ops) < 25 {
		t.Fatalf("the served document has %d operations; want every surface's", len(ops))
	}

	t.Run("dom", func(t *testing.T) {
		t.Parallel()
		// The deep link opens one operation, so its parameters, request
		// body, schemas and highlighted examples render (and meet the CSP) too.
		dom, stderr := browse(t, bin, srv.URL+docs.Path+"#/capi-clusters/createcluster", "--dump-dom")
		keep(t, "docs.html", dom)
		keep(t, "dump-dom-stderr.log", stderr)
		page := string(dom)
		if strings.Contains(page, "Failed to load API definition") || !strings.Contains(page, `class="swagger-ui"`) {
			t.Fatalf("Swagger UI did not render the document:\n%.3000s", page)
		}
		for _, want := range []string{">clustergate<", "Every clustergate surface in one document."} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks the document's info %q", want)
			}
		}
		// Each operation is rendered with its path (as data-path), its
		// method, its summary and its operationId, under the facade's tags.
		for _, must := range []string{"/v1/1-0/cluster/members", "/v1/v1/clusterpairs", "/v1/capi/clusters",
			"/v1/capi/namespaces/{namespace}/clusters/{name}/kubeconfig"} {
			if !strings.Contains(page, `data-path="`+must+`"`) {
				t.Errorf("the page does not show the route %s", must)
			}
		}
		for _, op := range ops {
			if !strings.Contains(page, `data-path="`+op.path+`"`) {
				t.Errorf("route %s %s is not on the page", strings.ToUpper(op.method), op.path)
			}
			if op.summary != "" && !strings.Contains(page, ">"+textEscape.Replace(op.summary)+"<") {
				t.Errorf("summary %q of %s %s is not on the page", op.summary, strings.ToUpper(op.method), op.path)
			}
		}
		if n := strings.Count(page, `class="opblock-summary-method"`); n != len(ops) {
			t.Errorf("the page shows %d operations, the document has %d", n, len(ops))
		}
		open := regexp.MustCompile(`class="opblock opblock-\w+ is-open" id="([^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(open) != 1 || open[0][1] != "operations-capi-clusters-createcluster" {
			t.Errorf("the deep link did not open POST /v1/capi/namespaces/{namespace}/clusters alone")
		}
		for _, want := range []string{"Request body", "Example Value", "highlight-code", "Responses"} {
			if !strings.Contains(page, want) {
				t.Errorf("the opened operation lacks %q", want)
			}
		}
		if bad := consoleProblems(stderr); len(bad) > 0 {
			t.Errorf("the browser console reported:\n%s", strings.Join(bad, "\n"))
		}
		t.Logf("rendered %d operations, %d KB of DOM", len(ops), len(dom)/1024)
	})

	t.Run("screenshot", func(t *testing.T) {
		t.Parallel()
		shot := filepath.Join(t.TempDir(), "docs.png")
		_, stderr := browse(t, bin, srv.URL+docs.Path, "--screenshot="+shot)
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v\nstderr:\n%s", err, stderr)
		}
		keep(t, "docs.png", b)
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		colors, inked := pixels(img)
		t.Logf("screenshot: %d KB, %v, %d colors, %.1f%% non-background", len(b)/1024, img.Bounds().Size(), colors, inked*100)
		// A blank or error page is a few KB of one or two colors; Swagger UI's
		// operation list is tens of KB with its coloured method badges.
		if len(b) < 40<<10 || colors < 64 || inked < 0.05 {
			t.Errorf("the screenshot looks empty: %d bytes, %d colors, %.1f%% non-background", len(b), colors, inked*100)
		}
	})

	t.Cleanup(func() {
		// Runs after both subtests: the browser asked for the page, its own
		// files and the document, nothing else.
		seen := rec.seen()
		allowed := func(p string) bool {
			return p == docs.Path || p == "/openapi.json" || p == "/favicon.ico" || strings.HasPrefix(p, docs.AssetsPath)
		}
		for p, n := range seen {
			if !allowed(p) {
				t.Errorf("the page requested %s (%d times): it must load only its assets and /openapi.json", p, n)
			}
		}
		for _, want := range []string{docs.Path, "/openapi.json", docs.AssetsPath + "swagger-ui-bundle.js",
			docs.AssetsPath + "swagger-ui.css", docs.AssetsPath + "boot.js"} {
			if seen[want] == 0 {
				t.Errorf("the browser never requested %s; requests: %v", want, seen)
			}
		}
	})
}

// pixels counts distinct colours (on every other pixel) and the share of
// pixels that differ from the top-left one (the background).
func pixels(img image.Image) (colors int, inked float64) {
	b := img.Bounds()
	rgba := func(x, y int) [4]uint32 {
		r, g, bl, a := img.At(x, y).RGBA()
		return [4]uint32{r, g, bl, a}
	}
	bg := rgba(b.Min.X, b.Min.Y)
	set := map[[4]uint32]bool{}
	var n, ink int
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			c := rgba(x, y)
			set[c] = true
			n++
			if c != bg {
				ink++
			}
		}
	}
	return len(set), float64(ink) / float64(n)
}

// The page and the document are public even when API keys guard /v1: a
// browser opening /docs sends no key.
func TestDocsNeedNoKey(t *testing.T) {
	e := stack(t, map[string]string{"CLUSTERGATE_API_KEYS": "admin=s3cret"})
	for _, p := range []string{docs.Path, docs.AssetsPath + "boot.js", "/openapi.json"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s without a key: %d %s", p, rec.Code, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/capi/clusters", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("GET /v1/capi/clusters without a key: %d, want 401 (is the key check on?)", rec.Code)
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, docs.Path, nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != docs.CSP {
		t.Errorf("through Echo, /docs CSP = %q", got)
	}
	if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("through Echo, /docs X-Content-Type-Options = %q", got)
	}
}
