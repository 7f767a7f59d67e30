package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/clustergate/clustergate/internal/audit"
	"github.com/clustergate/clustergate/internal/auth"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/internal/strictjson"
)

// ViaHeader marks requests that came from an MCP tool call, for logs and
// metrics.
const ViaHeader = "X-Clustergate-Via"

// Outcome is a tool call's result, independent of the SDK.
type Outcome struct {
	Status     int    // HTTP status of the in-process request; 0 when refused before it
	IsError    bool   // the call failed: bad arguments, refusal, or a non-2xx answer
	Text       string // what the agent reads
	Structured any    // structuredContent; nil when there is none
	Truncated  bool   // Text was cut at the result cap
}

// Caller runs tool calls through the HTTP handler chain.
type Caller struct {
	Handler   http.Handler
	MaxResult int // bytes of text at most; larger results are cut with a marker
	// Observe, when set, is told every call's tool and outcome: "ok",
	// "error" (the request failed) or "refused" (it was never sent).
	Observe func(tool, outcome string)
	// Audit records calls refused before a request was built; the handler
	// chain records the others. Keys name the caller in those records.
	Audit  *audit.Log
	Keys   auth.Keys
	Tokens auth.TokenVerifier
}

// Call runs one tool call. authz is the Authorization header to send (the
// MCP client's own, over HTTP); empty sends none.
func (c *Caller) Call(ctx context.Context, t *Tool, raw json.RawMessage, authz string) Outcome {
	o := c.call(ctx, t, raw, authz)
	if c.Observe != nil {
		outcome := "ok"
		switch {
		case o.IsError && o.Status == 0:
			outcome = "refused"
		case o.IsError:
			outcome = "error"
		}
		c.Observe(t.Name, outcome)
	}
	return o
}

func (c *Caller) call(ctx context.Context, t *Tool, raw json.RawMessage, authz string) Outcome {
	args, err := parseArgs(t, raw)
	if err != nil {
		return c.refused(ctx, t, authz, "bad arguments", err.Error())
	}
	if msg := t.confirmRefusal(args); msg != "" {
		return c.refused(ctx, t, authz, "not confirmed", msg)
	}
	req, err := t.request(catalog.WithTool(ctx, t.Name), args)
	if err != nil {
		return c.refused(ctx, t, authz, "bad arguments", err.Error())
	}
	req.RemoteAddr = peerAddr(peerFrom(ctx))
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	req.Header.Set(ViaHeader, "mcp")
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	c.Handler.ServeHTTP(rec, req)
	return c.outcome(t, rec, args)
}

func refusal(msg string) Outcome { return Outcome{IsError: true, Text: msg} }

// parseArgs decodes the arguments and refuses names the tool does not take.
func parseArgs(t *Tool, raw json.RawMessage) (map[string]json.RawMessage, error) {
	args := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
		// A repeated argument or key, or a bad byte, would be dropped or
		// mangled by Unmarshal: refuse it, as the REST route would.
		if err := strictjson.Check(raw, "the arguments object"); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &args); err != nil {
			return nil, fmt.Errorf("arguments must be a JSON object: %v", err)
		}
	}
	props, _ := t.InputSchema["properties"].(map[string]any)
	for name := range args {
		if _, ok := props[name]; !ok {
			known := make([]string, 0, len(props))
			for k := range props {
				known = append(known, k)
			}
			sort.Strings(known)
			return nil, fmt.Errorf("unknown argument %q; %s takes: %s", name, t.Name, strings.Join(known, ", "))
		}
	}
	required, _ := t.InputSchema["required"].([]string)
	for _, name := range required {
		v, ok := args[name]
		if name != "confirm" && (!ok || string(bytes.TrimSpace(v)) == "null") { // confirmRefusal says how to confirm
			return nil, fmt.Errorf("missing argument %q", name)
		}
	}
	if err := t.checkParams(args); err != nil {
		return nil, err
	}
	return args, nil
}

// confirmRefusal fails a destructive call closed unless confirm repeats its
// target, and says how to confirm.
func (t *Tool) confirmRefusal(args map[string]json.RawMessage) string {
	if !t.Annotations.Destructive {
		return ""
	}
	want := t.Name
	if t.target != "" {
		want = scalar(args[t.target])
	}
	if got := scalar(args["confirm"]); want == "" || got != want { // an empty target confirms nothing
		return fmt.Sprintf("%s is destructive and was not run: call it again with confirm=%q to proceed", t.Name, want)
	}
	return ""
}

// request builds the HTTP request a REST client would send.
func (t *Tool) request(ctx context.Context, args map[string]json.RawMessage) (*http.Request, error) {
	path := t.Op.Path
	query := url.Values{}
	headers := http.Header{}
	for _, p := range t.params {
		v, ok := args[p.arg]
		if !ok {
			continue
		}
		switch p.in {
		case "path":
			path = strings.Replace(path, "{"+p.name+"}", url.PathEscape(scalar(v)), 1)
		case "query":
			query.Set(p.name, scalar(v))
		case "header":
			headers.Set(p.name, scalar(v))
		}
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	var body *bytes.Reader
	if b, ok := args["body"]; ok && t.hasBody {
		body = bytes.NewReader(b)
	} else if t.hasBody {
		body = bytes.NewReader([]byte("{}"))
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, t.Op.Method, path, body)
	} else {
		req, err = http.NewRequestWithContext(ctx, t.Op.Method, path, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header = headers
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Body = http.NoBody // handlers may read it: a served request never has a nil body
	}
	return req, nil
}

// scalar renders a JSON argument as a path, query or header value.
func scalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(v))
}

// recorder collects the in-process answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}
