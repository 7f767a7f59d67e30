// Package portworx is clustergate's adapter to the OpenStorage SDK REST
// gateway that Portworx serves (port 9021 by default), for cluster pairs.
//
// It drives the typed client generated from the pinned upstream spec
// (generated/openstorage), so a pin bump regenerates request building and
// models, and runs that client's requests through go-resty: resty brings the
// bearer token, TLS, per-attempt timeouts and bounded retries with backoff.
// Retries are structural: reads go through a resty client that retries,
// writes (Create, ResetToken, Delete) through one that never does, because a
// repeated write could pair twice or invalidate a token twice.
package portworx

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/clustergate/clustergate/generated/openstorage"
)

// Name is how errors, logs and /readyz name this upstream.
const Name = "portworx"

// Configure tells an operator how to point clustergate at the SDK gateway;
// errors and /readyz both say it.
const Configure = "set PORTWORX_ENDPOINT to the OpenStorage SDK REST address"

// ConfigureClientCert tells an operator how to give clustergate the client
// certificate an mTLS gateway or ingress in front of the SDK asks for.
const ConfigureClientCert = "set PORTWORX_CLIENT_CERT and PORTWORX_CLIENT_KEY " +
	"(client-cert and client-key of an upstreams.portworx entry) to a certificate and key the gateway trusts"

// Config says where the SDK gateway is and how to reach it.
type Config struct {
	Endpoint   string        // e.g. http://127.0.0.1:9021
	Token      string        // bearer JWT; sent when set
	CAFile     string        // PEM bundle to trust for https endpoints
	ClientCert string        // PEM client certificate, with ClientKey
	ClientKey  string        // PEM client key
	Timeout    time.Duration // one attempt's timeout
	Retries    int           // extra attempts for reads
}

// Adapter talks to one OpenStorage SDK gateway.
type Adapter struct {
	cfg    Config
	client *openstorage.ClientWithResponses
}

// New builds the adapter; it does not contact the upstream.
func New(cfg Config) (*Adapter, error) {
	reads, err := restyClient(cfg, cfg.Retries)
	if err != nil {
		return nil, err
	}
	writes, err := restyClient(cfg, 0)
	if err != nil {
		return nil, err
	}
	c, err := openstorage.NewClientWithResponses(cfg.Endpoint,
		openstorage.WithHTTPClient(doer{reads: reads, writes: writes}))
	if err != nil {
		return nil, fmt.Errorf("portworx endpoint %q: %w", cfg.Endpoint, err)
	}
	return &Adapter{cfg: cfg, client: c}, nil
}

func restyClient(cfg Config, retries int) (*resty.Client, error) {
	r := resty.New().SetLogger(restyLog{}).SetTimeout(cfg.Timeout).SetRetryCount(retries).
		SetRetryWaitTime(100 * time.Millisecond).SetRetryMaxWaitTime(2 * time.Second).
		AddRetryCondition(func(resp *resty.Response, err error) bool {
			if err != nil { // connection refused or reset: the read may succeed next time,
				return refusedTLS(err) == nil // but a refused client certificate stays refused
			}
			switch resp.StatusCode() {
			case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
				return true
			}
			return false
		})
	if cfg.Token != "" {
		r.SetAuthScheme("bearer").SetAuthToken(cfg.Token)
	}
	if cfg.CAFile != "" {
		r.SetRootCertificate(cfg.CAFile)
	}
	if cfg.ClientCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.ClientCert, cfg.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("portworx client certificate: %w", err)
		}
		r.SetCertificates(cert)
	}
	return r, nil
}

// doer runs the generated client's requests through resty.
type doer struct{ reads, writes *resty.Client }

func (d doer) Do(req *http.Request) (*http.Response, error) {
	c := d.writes
	if req.Method == http.MethodGet {
		c = d.reads
	}
	r := c.R().SetContext(req.Context())
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		r.SetBody(body)
	}
	resp, err := r.Execute(req.Method, req.URL.String())
	if err != nil {
		return nil, withTLSAlert(req.Context(), c, req.URL, err)
	}
	raw := resp.RawResponse
	raw.Body = io.NopCloser(bytes.NewReader(resp.Body()))
	return raw, nil
}

// restyLog sends resty's own messages (retry attempts) to slog at debug
// level: the access log already reports each request's outcome, once.
type restyLog struct{}

func (restyLog) Errorf(format string, v ...any) { slog.Debug("resty: " + fmt.Sprintf(format, v...)) }
func (restyLog) Warnf(format string, v ...any)  { slog.Debug("resty: " + fmt.Sprintf(format, v...)) }
func (restyLog) Debugf(format string, v ...any) { slog.Debug("resty: " + fmt.Sprintf(format, v...)) }
