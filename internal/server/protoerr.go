package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/clustergate/clustergate/internal/vocab"
)

// netHTTPErrorHeaders is what net/http writes after the status line when it
// refuses a request it could not parse (a bad percent-escape in the target,
// headers over the limit, a bad Host), before any handler runs and in
// text/plain. Its own responses put Connection before Content-Type (sorted)
// and always carry Date, so this prefix marks only those refusals.
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// maxRequestHead bounds what a connection keeps of the request being read,
// to name a bad request target in the refusal.
const maxRequestHead = 8 << 10

// JSONProtocolErrors wraps a plain-TCP listener so the answers net/http
// writes itself (400 for a request target such as /a%zzb, 431, 501) use the
// facade's one JSON error shape like every other answer. It cannot see
// inside TLS: behind ServeTLS those stay net/http's text.
func JSONProtocolErrors(ln net.Listener) net.Listener { return protoListener{ln} }

type protoListener struct{ net.Listener }

func (l protoListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &protoConn{Conn: c}, nil
}

// protoConn keeps the head of the request being read (reset at each
// answer) and rewrites net/http's own refusals.
type protoConn struct {
	net.Conn
	mu   sync.Mutex
	head []byte
}

func (c *protoConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if room := maxRequestHead - len(c.head); room > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	c.mu.Unlock()
	return n, err
}

func (c *protoConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	head := c.head
	c.head = nil
	c.mu.Unlock()
	status, text, ok := netHTTPRefusal(p)
	if !ok {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(jsonRefusal(status, refusalMessage(status, text, head))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// netHTTPRefusal parses "HTTP/1.1 400 Bad Request<headers><text>".
func netHTTPRefusal(p []byte) (int, string, bool) {
	rest, ok := bytes.CutPrefix(p, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 4 {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(rest[:3]))
	if err != nil {
		return 0, "", false
	}
	i := bytes.Index(rest, []byte(netHTTPErrorHeaders))
	if i < 0 || bytes.Contains(rest[:i], []byte("\r\n")) { // the headers follow the status line at once
		return 0, "", false
	}
	return status, string(rest[i+len(netHTTPErrorHeaders):]), true
}

// refusalMessage names a bad request target when that is why the request
// was refused, and otherwise keeps net/http's words.
func refusalMessage(status int, text string, head []byte) string {
	if line, _, ok := bytes.Cut(head, []byte("\r\n")); ok && status == 400 {
		if f := strings.Fields(string(line)); len(f) == 3 {
			if _, err := url.ParseRequestURI(f[1]); err != nil {
				return fmt.Sprintf("bad request target: %v", unwrapURLError(err))
			}
		}
	}
	if status == 431 {
		return "request headers are larger than the server accepts"
	}
	return strings.TrimPrefix(text, strconv.Itoa(status)+" ")
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

func jsonRefusal(status int, msg string) []byte {
	body, _ := json.Marshal(vocab.ErrorBody{Status: status, Message: msg})
	return []byte(fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), len(body), body))
}
