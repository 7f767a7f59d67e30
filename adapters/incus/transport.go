package incus

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/lxc/incus/v6/shared/api"
)

// idleConns bounds the idle upstream connections kept open: enough for the
// request concurrency one replica sees, few enough that a restarted daemon
// costs little.
const idleConns = 64

// keepAlive gives the connection keep-alive. The Incus client builds its
// transport with DisableKeepAlives (one dial and one HTTP/1 handshake per
// request, a quarter of a fast request's allocations) and writes it onto the
// http.Client passed in ConnectionArgs.HTTPClient, so the adapter passes its
// own client and, once connected and before the connection is shared,
// replaces that transport with one that keeps connections: for a unix
// socket its own (socketTransport), for HTTPS a clone of the client's TLS
// transport (its certificate checks kept) with keep-alive on.
func keepAlive(client *http.Client, socket string) error {
	switch t := client.Transport.(type) {
	case *http.Transport:
		if socket != "" {
			client.Transport = newSocketTransport(socket, reuse(t, socket))
			return nil
		}
		client.Transport = reuse(t, socket)
	case *bearerTransport:
		client.Transport = &bearerTransport{base: reuse(t.base, socket), token: t.token}
	default:
		return fmt.Errorf("incus client transport %T: cannot enable keep-alive", t)
	}
	return nil
}

func reuse(t *http.Transport, socket string) *http.Transport {
	n := t.Clone()
	n.DisableKeepAlives = false
	n.MaxIdleConns = idleConns
	n.MaxIdleConnsPerHost = idleConns
	n.IdleConnTimeout = 60 * time.Second
	if socket != "" {
		var d net.Dialer
		n.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", socket)
		}
	}
	return n
}

// get reads path (with its /1.0 prefix) and decodes the answer in one
// pass, envelope and metadata together, straight into out. The client's
// typed getters decode every answer twice (the envelope with its metadata
// kept as raw bytes, then the metadata) and then pretty-print the result
// for a debug line whether or not debug logging is on; this sends the same
// request through the client's own DoHTTP (its headers and credentials)
// and reads the answer as the client's incusParseResponse does: an error
// answer is an api.StatusError with the upstream's status and words. need
// is the API extension the typed getter would require, checked the same way.
func get[T any](ctx context.Context, a *Adapter, need, path string, out *T) (string, error) {
	s, base, err := a.serverAt(ctx)
	if err != nil {
		return "", err
	}
	if need != "" && !s.HasExtension(need) {
		return "", fmt.Errorf("The server is missing the required %q API extension", need)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := s.DoHTTP(req)
	if err != nil {
		return "", err
	}
	defer func() {
		// Read to the end so the connection goes back to the idle pool.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	env := envelope[T]{Metadata: out}
	if err := decodeAnswer(resp.Body, &env); err != nil {
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("Failed to fetch %s: %s", req.URL.String(), resp.Status)
		}
		return "", fmt.Errorf("decode %s: %w", path, err)
	}
	switch env.Type {
	case api.ErrorResponse:
		return "", api.StatusErrorf(resp.StatusCode, "%v", env.Error)
	case api.SyncResponse:
		return resp.Header.Get("ETag"), nil
	}
	return "", fmt.Errorf("incus answered a read of %s with a %q response", path, env.Type)
}

// envelope is the part of Incus's answer a read needs, metadata typed.
type envelope[T any] struct {
	Type     api.ResponseType `json:"type"`
	Error    string           `json:"error"`
	Metadata *T               `json:"metadata"`
}
