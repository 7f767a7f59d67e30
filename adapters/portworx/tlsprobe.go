package portworx

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/go-resty/resty/v2"
)

// probeTimeout bounds the extra handshake withTLSAlert makes on a failure.
const probeTimeout = 2 * time.Second

// withTLSAlert finds the TLS alert behind a lost connection. With TLS 1.3 a
// gateway that refuses the client certificate (none, or one from a CA it
// does not trust) sends its alert after the client's side of the handshake
// is done, so the request races it and often sees only "broken pipe",
// "connection reset" or, over HTTP/2, "http2: client conn could not be
// established". A fresh handshake followed by a read, with nothing
// written, receives the alert itself; it is joined to err so that
// transportError reports the refusal and the settings that fix it. Any other
// outcome of the probe leaves err as it was.
func withTLSAlert(ctx context.Context, c *resty.Client, u *url.URL, err error) error {
	if u.Scheme != "https" || refusedTLS(err) != nil || !lostConnection(err) {
		return err
	}
	t, ok := c.GetClient().Transport.(*http.Transport)
	if !ok {
		return err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	d := tls.Dialer{Config: t.TLSClientConfig.Clone()}
	start := time.Now()
	conn, perr := d.DialContext(ctx, "tcp", host)
	if perr == nil {
		defer conn.Close()
		// A refusal follows the handshake within a round trip; a gateway
		// that accepted waits for a request, so the read waits only a few
		// handshake times, not probeTimeout, before it gives up.
		_ = conn.SetReadDeadline(time.Now().Add(min(probeTimeout, 3*time.Since(start)+50*time.Millisecond)))
		_, perr = conn.Read(make([]byte, 1))
	}
	if refusedTLS(perr) != nil {
		return errors.Join(perr, err)
	}
	return err
}

// lostConnection is any failure but the caller's deadline or cancellation,
// which a probe could not tell more about.
func lostConnection(err error) bool {
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err)
}
