package benchkit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// RawProtocolVersion is the MCP version the raw client asks for: the
// newest one with initialize and sessions, which clustergate's stateful
// server negotiates with the Go SDK client too.
const RawProtocolVersion = "2025-11-25"

// RawMCP is a minimal MCP client over streamable HTTP: one session,
// keep-alive connections, one JSON-RPC request per POST, answers read as
// application/json or as an SSE stream. Safe for concurrent calls.
//
// It exists for attribution. In the MCP benchmarks the Go SDK client and
// clustergate's server run in the same process, and the SDK decodes every
// message on both sides with a fresh streaming decoder, so a tools/call
// timed through the SDK client pays for the client library as well as for
// the server. The same call timed through this client, which speaks the
// wire protocol with nothing but net/http and encoding/json, separates the
// two: (raw − REST) is what the server and the JSON-RPC exchange add,
// (SDK − raw) what the Go SDK client adds on top.
type RawMCP struct {
	url, key        string
	session         string // Mcp-Session-Id; empty for a stateless server
	version         string // negotiated protocol version
	client          *http.Client
	nextID          atomic.Int64
	requests, dials atomic.Int64
}

// DialRawMCP opens a session: initialize, then notifications/initialized.
func DialRawMCP(ctx context.Context, url, key string) (*RawMCP, error) {
	c := &RawMCP{url: url, key: key, version: RawProtocolVersion}
	tr := TCPClient().Transport.(*http.Transport)
	dial := (&net.Dialer{}).DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.dials.Add(1)
		return dial(ctx, network, addr)
	}
	c.client = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	init := map[string]any{"protocolVersion": RawProtocolVersion, "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "clustergate-bench-raw", "version": "1"}}
	raw, hdr, err := c.call(ctx, "initialize", init)
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	var res struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	if err := json.Unmarshal(raw, &res); err != nil || res.ProtocolVersion == "" {
		return nil, fmt.Errorf("initialize: no protocolVersion in %.200s (%v)", raw, err)
	}
	c.version, c.session = res.ProtocolVersion, hdr.Get("Mcp-Session-Id")
	if err := c.notify(ctx, "notifications/initialized"); err != nil {
		return nil, err
	}
	return c, nil
}

// CallTool sends tools/call and fails unless the answer is a tool result
// (it has content) with isError false (absent means false).
func (c *RawMCP) CallTool(ctx context.Context, name string, args any) error {
	raw, _, err := c.call(ctx, "tools/call", map[string]any{"name": name, "arguments": args})
	if err != nil {
		return fmt.Errorf("tools/call %s: %w", name, err)
	}
	var res struct {
		IsError bool            `json:"isError"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return fmt.Errorf("tools/call %s: result: %w", name, err)
	}
	if res.Content == nil {
		return fmt.Errorf("tools/call %s: not a tool result: %.300s", name, raw)
	}
	if res.IsError {
		return fmt.Errorf("tools/call %s: isError: %.300s", name, res.Content)
	}
	return nil
}

// Requests counts the HTTP requests sent so far.
func (c *RawMCP) Requests() int64 { return c.requests.Load() }

// Dials counts the TCP connections opened so far: with keep-alive, far
// fewer than Requests.
func (c *RawMCP) Dials() int64 { return c.dials.Load() }

// Close ends the session (DELETE, as the SDK client does).
func (c *RawMCP) Close() error {
	if c.session == "" {
		return nil
	}
	req, err := http.NewRequest(http.MethodDelete, c.url, nil)
	if err != nil {
		return err
	}
	c.headers(req)
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

func (c *RawMCP) headers(req *http.Request) {
	req.Header.Set("Accept", "application/json, text/event-stream")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if c.session != "" {
		req.Header.Set("Mcp-Session-Id", c.session)
	}
	req.Header.Set("Mcp-Protocol-Version", c.version)
}

func (c *RawMCP) post(ctx context.Context, msg any) (*http.Response, error) {
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	c.headers(req)
	c.requests.Add(1)
	return c.client.Do(req)
}

// notify sends a notification; the server accepts it with 202 and no body.
func (c *RawMCP) notify(ctx context.Context, method string) error {
	resp, err := c.post(ctx, map[string]any{"jsonrpc": "2.0", "method": method})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("%s: status %d: %.200s", method, resp.StatusCode, b)
	}
	return nil
}

// rpcMessage is any JSON-RPC message the server may send on the stream.
type rpcMessage struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// call sends one request and returns its result (a JSON-RPC error is an
// error) and the answer's headers.
func (c *RawMCP) call(ctx context.Context, method string, params any) (json.RawMessage, http.Header, error) {
	id := c.nextID.Add(1)
	resp, err := c.post(ctx, map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return nil, nil, fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	var m *rpcMessage
	switch ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";"); strings.TrimSpace(ct) {
	case "application/json":
		m, err = readJSON(resp.Body, id)
	case "text/event-stream":
		m, err = readSSE(resp.Body, id)
	default:
		err = fmt.Errorf("unexpected Content-Type %q", resp.Header.Get("Content-Type"))
	}
	// Read to the end so the connection goes back to the pool.
	_, _ = io.Copy(io.Discard, resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if m.Error != nil {
		return nil, nil, fmt.Errorf("JSON-RPC error %d: %s", m.Error.Code, m.Error.Message)
	}
	if m.Result == nil {
		return nil, nil, errors.New("response with neither result nor error")
	}
	return m.Result, resp.Header, nil
}

// matches says whether m is the response to request id.
func (m *rpcMessage) matches(id int64) bool {
	return m.Method == "" && string(bytes.TrimSpace(m.ID)) == strconv.FormatInt(id, 10)
}

func readJSON(r io.Reader, id int64) (*rpcMessage, error) {
	var m rpcMessage
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("application/json answer: %w", err)
	}
	if !m.matches(id) {
		return nil, fmt.Errorf("answer has id %s, want %d", m.ID, id)
	}
	return &m, nil
}

// readSSE reads events until the response to id; other messages on the
// stream (notifications, server requests) are skipped. An event's data is
// its data: lines joined by newlines, as the SSE specification says.
func readSSE(r io.Reader, id int64) (*rpcMessage, error) {
	br := bufio.NewReader(r)
	var data []byte
	for {
		line, err := br.ReadBytes('\n')
		if err != nil && (err != io.EOF || len(line) == 0) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("SSE stream ended before the response to %d: %w", id, err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 { // end of an event
			if len(data) > 0 {
				var m rpcMessage
				if err := json.Unmarshal(data, &m); err != nil {
					return nil, fmt.Errorf("SSE event: %w: %.200s", err, data)
				}
				if m.matches(id) {
					return &m, nil
				}
			}
			data = data[:0]
			continue
		}
		if v, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			if len(data) > 0 {
				data = append(data, '\n')
			}
			data = append(data, bytes.TrimPrefix(v, []byte(" "))...)
		}
	}
}
