package docs

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// sums parses assets/SHA256SUMS (sha256sum's format) from the embedded tree.
func sums(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for line := range strings.Lines(string(mustRead("assets/SHA256SUMS"))) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("assets/SHA256SUMS: malformed line %q", line)
		}
		out[name] = sum
	}
	return out
}

// The vendored files are exactly what fetch.sh wrote: a hand edit, an added
// or a removed file fails here. The embedded tree is checked, since that is
// what the binary serves.
func TestVendoredAssetsMatchSHA256SUMS(t *testing.T) {
	want := sums(t)
	entries, err := fs.ReadDir(files, "assets")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if name == "SHA256SUMS" {
			continue
		}
		seen[name] = true
		sum, ok := want[name]
		if !ok {
			t.Errorf("assets/%s is not in assets/SHA256SUMS: only internal/docs/fetch.sh writes assets/", name)
			continue
		}
		got := sha256.Sum256(mustRead("assets/" + name))
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("assets/%s does not match assets/SHA256SUMS: it was edited by hand; run bash internal/docs/fetch.sh", name)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("assets/SHA256SUMS lists %s, which is missing: run bash internal/docs/fetch.sh", name)
		}
	}
}

// fetchVar returns NAME=value from fetch.sh.
func fetchVar(t *testing.T, script, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + `=(.*)$`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("fetch.sh has no %s= line", name)
	}
	return strings.TrimSpace(m[1])
}

// The pin in fetch.sh is what is vendored: bumping VERSION without running
// the script (or the reverse) fails here.
func TestPinMatchesVendoredVersion(t *testing.T) {
	b, err := os.ReadFile("fetch.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	pkg, version := fetchVar(t, script, "PKG"), fetchVar(t, script, "VERSION")
	if want := pkg + "@" + version; Viewer != want {
		t.Errorf("assets/VERSION says %q, fetch.sh pins %q: run bash internal/docs/fetch.sh", Viewer, want)
	}
	if integrity := fetchVar(t, script, "INTEGRITY"); !strings.HasPrefix(integrity, "sha512-") {
		t.Errorf("fetch.sh INTEGRITY = %q, want npm's sha512-… dist.integrity", integrity)
	}
	// The bundle names its own version.
	if marker := `PACKAGE_VERSION:"` + version + `"`; !bytes.Contains(mustRead("assets/swagger-ui-bundle.js"), []byte(marker)) {
		t.Errorf("assets/swagger-ui-bundle.js does not contain %s", marker)
	}
	// fetch.sh copies FILES; assets/ holds those plus VERSION and SHA256SUMS.
	m := regexp.MustCompile(`(?m)^FILES=\(([^)]*)\)`).FindStringSubmatch(script)
	if m == nil {
		t.Fatal("fetch.sh has no FILES=(…) line")
	}
	want := append(strings.Fields(m[1]), "VERSION", "SHA256SUMS")
	var got []string
	entries, _ := fs.ReadDir(files, "assets")
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("assets/ holds %v, fetch.sh writes %v", got, want)
	}
}

func get(t *testing.T, method, target string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) []byte {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPage(t *testing.T) {
	res := get(t, http.MethodGet, "/docs")
	page := string(body(t, res))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /docs: %d", res.StatusCode)
	}
	for k, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Content-Security-Policy": CSP,
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-cache",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("GET /docs %s = %q, want %q", k, got, want)
		}
	}
	for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "*"} {
		if strings.Contains(CSP, bad) {
			t.Errorf("CSP allows %s: %s", bad, CSP)
		}
	}
	// No inline script and no URL off this server: every script has a src,
	// and every src/href is relative and served by the handler.
	if strings.Count(page, "<script") != strings.Count(page, "<script defer src=") {
		t.Errorf("the page has an inline script (the CSP would block it):\n%s", page)
	}
	if strings.Contains(page, "//") || strings.Contains(page, "style=") {
		t.Errorf("the page names an absolute URL or an inline style:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 5 {
		t.Fatalf("the page references %d files, want the bundle, its css, docs.css, boot.js, the icon", len(refs))
	}
	for _, ref := range refs {
		if ref[1] == "openapi.json" {
			continue // the server's, not this handler's
		}
		target := "/" + ref[1] // relative to /docs
		if r := get(t, http.MethodGet, target); r.StatusCode != http.StatusOK {
			t.Errorf("the page references %s, which answers %d", target, r.StatusCode)
		}
	}
	boot := string(body(t, get(t, http.MethodGet, "/docs/assets/boot.js")))
	for _, want := range []string{`new URL("openapi.json", document.baseURI)`, "validatorUrl: null", `layout: "BaseLayout"`, "queryConfigEnabled: false"} {
		if !strings.Contains(boot, want) {
			t.Errorf("boot.js lacks %s", want)
		}
	}
}

func TestAssets(t *testing.T) {
	bundle := mustRead("assets/swagger-ui-bundle.js")
	for _, tc := range []struct{ path, ctype string }{
		{"/docs/assets/swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
		{"/docs/assets/swagger-ui.css", "text/css; charset=utf-8"},
		{"/docs/assets/boot.js", "text/javascript; charset=utf-8"},
		{"/docs/assets/docs.css", "text/css; charset=utf-8"},
		{"/docs/assets/favicon-32x32.png", "image/png"},
		{"/docs/assets/LICENSE", "text/plain; charset=utf-8"},
		{"/docs/assets/swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8"},
	} {
		res := get(t, http.MethodGet, tc.path)
		body(t, res)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != tc.ctype ||
			res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("ETag") == "" {
			t.Errorf("GET %s: %d %q nosniff=%q etag=%q", tc.path, res.StatusCode, res.Header.Get("Content-Type"),
				res.Header.Get("X-Content-Type-Options"), res.Header.Get("ETag"))
		}
	}

	// Identity without Accept-Encoding, gzip with it, same bytes either way.
	res := get(t, http.MethodGet, "/docs/assets/swagger-ui-bundle.js")
	if got := body(t, res); !bytes.Equal(got, bundle) || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("plain GET of the bundle: %d bytes, encoding %q", len(got), res.Header.Get("Content-Encoding"))
	}
	plainTag := res.Header.Get("ETag")
	res = get(t, http.MethodGet, "/docs/assets/swagger-ui-bundle.js", "Accept-Encoding", "br, gzip")
	gz := body(t, res)
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip GET of the bundle: encoding %q vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, bundle) {
		t.Errorf("gzipped bundle does not decompress to the bundle (err %v)", err)
	}
	t.Logf("bundle: %d bytes, %d gzipped", len(bundle), len(gz))
	gzTag := res.Header.Get("ETag")
	if gzTag == plainTag {
		t.Errorf("gzip and identity share the ETag %s", gzTag)
	}
	if res := get(t, http.MethodGet, "/docs/assets/swagger-ui-bundle.js", "Accept-Encoding", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}
	// Revalidation.
	if res := get(t, http.MethodGet, "/docs/assets/swagger-ui-bundle.js", "If-None-Match", plainTag); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: %d, want 304", res.StatusCode)
	}
	if res := get(t, http.MethodGet, "/docs/assets/swagger-ui-bundle.js", "Accept-Encoding", "gzip", "If-None-Match", gzTag); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the gzip ETag: %d, want 304", res.StatusCode)
	}
	if res := get(t, http.MethodHead, "/docs"); res.StatusCode != http.StatusOK || len(body(t, res)) != 0 {
		t.Errorf("HEAD /docs: %d", res.StatusCode)
	}
}

func TestRefusals(t *testing.T) {
	res := get(t, http.MethodGet, "/docs/")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "../docs" {
		t.Errorf("GET /docs/: %d Location %q, want 301 ../docs", res.StatusCode, res.Header.Get("Location"))
	}
	for _, p := range []string{"/docs/assets/", "/docs/assets/nope.js", "/docs/assets/ui/boot.js", "/docs/assets/../docs.go",
		"/docs/assets/index.html", "/docs/other", "/docsx", "/"} {
		res := get(t, http.MethodGet, p)
		var e struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(body(t, res), &e); err != nil || res.StatusCode != http.StatusNotFound || e.Status != 404 {
			t.Errorf("GET %s: %d %+v (%v), want the 404 error shape", p, res.StatusCode, e, err)
		}
	}
	res = get(t, http.MethodPost, "/docs")
	body(t, res)
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /docs: %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}
