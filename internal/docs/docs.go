// Package docs serves clustergate's API reference at /docs: the OpenAPI
// document the server publishes at /openapi.json, rendered by Swagger UI.
//
// The Swagger UI build (npm package swagger-ui-dist, pinned in fetch.sh) is
// vendored in assets/ and embedded in the binary, next to this package's own
// page in ui/. The page loads nothing but those files and /openapi.json: no
// CDN, no inline script, and a Content-Security-Policy that holds it to that.
//
// The handler is plain net/http; it expects the full request path (/docs,
// /docs/assets/…), so mount it at those paths without stripping a prefix.
package docs

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Path is where the page is served; AssetsPath prefixes its files.
const (
	Path       = "/docs"
	AssetsPath = Path + "/assets/"
)

// CSP is the page's Content-Security-Policy: everything from clustergate
// itself, nothing inline and nothing from elsewhere. img-src allows data:
// because swagger-ui.css draws its icons as data: SVGs.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'"

// assets/ is written by fetch.sh only; ui/ is this package's own page.
//
//go:embed assets ui
var files embed.FS

// Viewer names the vendored viewer and its version, e.g.
// "swagger-ui-dist@5.35.0" (the content of assets/VERSION).
var Viewer = strings.TrimSpace(string(mustRead("assets/VERSION")))

// file is one servable file, with its gzip form made on first use.
type file struct {
	name, ctype, etag string
	body              []byte
	gzipOnce          sync.Once
	gz                []byte // nil when compression does not pay
}

var (
	tableOnce sync.Once
	table     map[string]*file // by name under AssetsPath; "" is the page
)

// Handler serves the page at /docs and its files under /docs/assets/.
// /docs/ redirects to /docs. Answers carry X-Content-Type-Options: nosniff and
// the CSP; every file has an ETag and is revalidated (Cache-Control: no-cache),
// so an upgraded binary never serves a stale viewer from a browser cache.
// The files are read (copied out of the binary and hashed) on the first
// request: 2 MB of heap and part of start-up that most processes, the
// stdio MCP server's and most servers', never need.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tableOnce.Do(func() { table = load() })
		serve(w, r)
	})
}

func serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	var name string
	switch p := r.URL.Path; {
	case p == Path:
		name = ""
	case p == Path+"/":
		// Relative (http.Redirect would make it absolute), so it also works
		// behind a proxy that adds a path prefix.
		h.Set("Location", "../docs")
		w.WriteHeader(http.StatusMovedPermanently)
		return
	case strings.HasPrefix(p, AssetsPath) && !strings.Contains(p[len(AssetsPath):], "/"):
		name = p[len(AssetsPath):]
		if name == "" {
			notFound(w, r)
			return
		}
	default:
		notFound(w, r)
		return
	}
	f, ok := table[name]
	if !ok {
		notFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		writeError(w, r, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
		return
	}
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", "no-cache")
	body, etag := f.body, f.etag
	if gz := f.gzipped(); gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = gz, strings.TrimSuffix(f.etag, `"`)+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// load builds the table of servable files from the embedded trees: ui/index.html
// is the page, every other file of ui/ and assets/ is an asset by its base name.
func load() map[string]*file {
	t := map[string]*file{}
	for _, dir := range []string{"ui", "assets"} {
		entries, err := fs.ReadDir(files, dir)
		if err != nil {
			panic("docs: embedded " + dir + ": " + err.Error())
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			name := e.Name()
			body := mustRead(dir + "/" + name)
			key := name
			if dir == "ui" && name == "index.html" {
				key = ""
			}
			if _, dup := t[key]; dup {
				panic("docs: " + name + " is both in ui/ and assets/")
			}
			sum := sha256.Sum256(body)
			t[key] = &file{name: name, ctype: contentType(name), body: body,
				etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		}
	}
	return t
}

// gzipped is the file compressed, made once, or nil for files that are small
// or already compressed.
func (f *file) gzipped() []byte {
	if len(f.body) < 1024 || !strings.HasPrefix(f.ctype, "text/") {
		return nil
	}
	f.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(f.body)
		if zw.Close() == nil && buf.Len() < len(f.body) {
			f.gz = buf.Bytes()
		}
	})
	return f.gz
}

// acceptsGzip says whether the request's Accept-Encoding names gzip with a
// non-zero quality.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return err == nil && q > 0
			}
		}
		return true
	}
	return false
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".png":
		return "image/png"
	default: // LICENSE, NOTICE, VERSION, SHA256SUMS, *.txt
		return "text/plain; charset=utf-8"
	}
}

// notFound and writeError answer in the facade's one error shape.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusNotFound, "no such docs page or asset: "+r.URL.Path)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	_ = vocab.ErrorBody{Status: status, Message: msg}.Write(w, r)
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("docs: embedded " + name + ": " + err.Error())
	}
	return b
}
