package incus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	incusclient "github.com/lxc/incus/v6/client"
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
// socket a dialer of its own, for HTTPS a clone of the client's TLS
// transport (its certificate checks kept) with keep-alive on.
func keepAlive(client *http.Client, socket string) error {
	switch t := client.Transport.(type) {
	case *http.Transport:
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

// getJSON reads path (with its /1.0 prefix) and decodes the answer's
// metadata straight into out. The client's typed getters decode the same
// metadata too, but then pretty-print the result for a debug log line
// whether or not debug logging is on (a MarshalIndent per request); this is
// their read without that. need is the API extension the typed getter
// would require, checked the same way.
func getJSON(s incusclient.InstanceServer, need, path string, out any) (string, error) {
	if need != "" && !s.HasExtension(need) {
		return "", fmt.Errorf("The server is missing the required %q API extension", need)
	}
	resp, etag, err := s.RawQuery(http.MethodGet, path, nil, "")
	if err != nil {
		return "", err
	}
	if resp.Type != "sync" {
		return "", errors.New("incus answered a read with a " + string(resp.Type) + " response")
	}
	if err := json.Unmarshal(resp.Metadata, out); err != nil {
		return "", fmt.Errorf("decode %s: %w", path, err)
	}
	return etag, nil
}
