package benchkit

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// FakeIncus is a tiny Incus look-alike on a unix socket: it answers the
// routes the benchmarks use with fixed, pre-encoded bodies shaped like a
// real LXD's (captured from tests/lxdtest), so the time spent upstream is
// as small as an HTTP server can make it and what remains is the caller's.
type FakeIncus struct {
	Socket   string       // unix socket path
	Requests atomic.Int64 // every request served, /1.0 included
	Conns    atomic.Int64 // connections accepted: tells a keep-alive client from one that dials per request
	Members  []string     // member names; the first is the one PUT targets

	srv *http.Server
	dir string
}

// The bodies: a three-member cluster, each member as LXD 5.0 renders it.
var (
	incusServerInfo = mustJSON(envelope(map[string]any{
		"api_extensions": []string{"clustering", "clustering_join", "clustering_roles", "clustering_edit_roles",
			"clustering_failure_domains", "clustering_groups", "clustering_evacuation", "clustering_update_cert",
			"clustering_server_address", "etag", "patch"},
		"api_status": "stable", "api_version": "1.0", "auth": "trusted", "public": false,
		"environment": map[string]any{"server": "lxd", "server_name": "bench1", "server_version": "5.0.2", "server_clustered": true},
	}))
	fakeMemberNames = []string{"bench1", "bench2", "bench3"}
)

func member(name string, i int) map[string]any {
	return map[string]any{
		// The writable fields equal FakePutBody: the facade reads a PUT back
		// to verify it, and this fake does not store writes.
		"roles": []string{"database"}, "failure_domain": "default", "description": "bench", "config": map[string]string{"scheduler.instance": "all"},
		"groups": []string{"default"}, "server_name": name, "url": fmt.Sprintf("https://10.0.0.%d:8443", i+1),
		"database": true, "status": "Online", "message": "Fully operational", "architecture": "x86_64",
	}
}

func envelope(metadata any) map[string]any {
	return map[string]any{"type": "sync", "status": "Success", "status_code": 200, "operation": "",
		"error_code": 0, "error": "", "metadata": metadata}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// StartFakeIncus serves the fake on a fresh unix socket until Close.
func StartFakeIncus() (*FakeIncus, error) {
	// Short path: sun_path is limited to 108 bytes.
	dir, err := os.MkdirTemp("/tmp", "cgb-")
	if err != nil {
		return nil, err
	}
	f := &FakeIncus{Socket: filepath.Join(dir, "unix.socket"), Members: fakeMemberNames, dir: dir}
	ln, err := net.Listen("unix", f.Socket)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	f.srv = &http.Server{Handler: f.handler(), ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				f.Conns.Add(1)
			}
		}}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// Close stops the server and removes the socket.
func (f *FakeIncus) Close() {
	_ = f.srv.Close()
	_ = os.RemoveAll(f.dir)
}

func (f *FakeIncus) handler() http.Handler {
	members := make([]any, len(f.Members))
	urls := make([]string, len(f.Members))
	byName := map[string][]byte{}
	for i, n := range f.Members {
		members[i] = member(n, i)
		urls[i] = "/1.0/cluster/members/" + n
		byName[n] = mustJSON(envelope(members[i]))
	}
	list := mustJSON(envelope(members))
	listURLs := mustJSON(envelope(urls))
	cluster := mustJSON(envelope(map[string]any{"server_name": f.Members[0], "enabled": true, "member_config": []any{}}))
	empty := mustJSON(envelope(map[string]any{}))
	const etag = `"5f0c3b7e1d2a"`

	mux := http.NewServeMux()
	send := func(w http.ResponseWriter, body []byte, etag string) {
		w.Header().Set("Content-Type", "application/json")
		if etag != "" {
			w.Header().Set("ETag", etag)
		}
		_, _ = w.Write(body)
	}
	mux.HandleFunc("GET /1.0", func(w http.ResponseWriter, _ *http.Request) { send(w, incusServerInfo, "") })
	mux.HandleFunc("GET /1.0/cluster", func(w http.ResponseWriter, _ *http.Request) { send(w, cluster, etag) })
	mux.HandleFunc("GET /1.0/cluster/members", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("recursion") == "1" {
			send(w, list, "")
			return
		}
		send(w, listURLs, "")
	})
	mux.HandleFunc("GET /1.0/cluster/members/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, ok := byName[r.PathValue("name")]
		if !ok {
			notFound(w)
			return
		}
		send(w, b, etag)
	})
	mux.HandleFunc("PUT /1.0/cluster/members/{name}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := byName[r.PathValue("name")]; !ok {
			notFound(w)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !json.Valid(body) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"type":"error","error":"bad body","error_code":400}`))
			return
		}
		send(w, empty, "")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { notFound(w) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Requests.Add(1)
		mux.ServeHTTP(w, r)
	})
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"type":"error","error":"Not Found","error_code":404}`))
}
