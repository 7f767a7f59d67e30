package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/capiclusters"
	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/generated/portworxclusterpair"
	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

// The product's contract for a body it must refuse (issue 16): a status, the
// one JSON error shape, and a message naming what was wrong.
const (
	bodyLimit      = 1 << 20 // CLUSTERGATE_MAX_BODY_BYTES default
	unknownField   = "zz_not_a_field"
	expectedMedium = "application/json"
)

// bodyRoute is one facade operation that takes a body, read from its spec.
type bodyRoute struct {
	op     *openapi3.Operation
	method string
	path   string // with every path parameter filled
	target string // the value `confirm` repeats for a destructive tool
	params map[string]string
	schema *openapi3.Schema
}

// bodyRoutes lists every operation with a request body in the three facade
// specs: the table below is generated from them, not written by hand.
func bodyRoutes(t *testing.T) []bodyRoute {
	t.Helper()
	var out []bodyRoute
	for _, get := range []func() (*openapi3.T, error){incuscluster.GetSwagger, portworxclusterpair.GetSwagger, capiclusters.GetSwagger} {
		doc, err := get()
		require.NoError(t, err)
		for _, path := range doc.Paths.InMatchingOrder() {
			for method, op := range doc.Paths.Value(path).Operations() {
				if op.RequestBody == nil {
					continue
				}
				mt := op.RequestBody.Value.Content.Get(expectedMedium)
				require.NotNil(t, mt, "%s %s takes %s", method, path, expectedMedium)
				filled, target, params := fillPath(path)
				out = append(out, bodyRoute{op: op, method: method, path: filled, target: target, params: params, schema: mt.Schema.Value})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op.OperationID < out[j].op.OperationID })
	require.NotEmpty(t, out)
	return out
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// fillPath puts a valid value in each path parameter: "default" for a
// namespace, "node1" otherwise. The last one is what confirm repeats.
func fillPath(path string) (string, string, map[string]string) {
	last, params := "", map[string]string{}
	filled := pathParam.ReplaceAllStringFunc(path, func(m string) string {
		last = "node1"
		if m == "{namespace}" {
			last = "default"
		}
		params[strings.Trim(m, "{}")] = last
		return last
	})
	return filled, last, params
}

// samples are valid values for required fields whose schema has a pattern
// the generic value below does not match.
var samples = map[string]any{"kubernetesVersion": "v1.36.3"}

// minimal builds a body holding only the schema's required fields, each
// with a value its schema accepts, so the one thing wrong with a case's
// body is the thing the case adds.
func minimal(s *openapi3.Schema) any {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		obj := map[string]any{}
		for _, name := range s.Required {
			if v, ok := samples[name]; ok {
				obj[name] = v
				continue
			}
			obj[name] = minimal(s.Properties[name].Value)
		}
		return obj
	case s.Type.Is("array"):
		return []any{}
	case s.Type.Is("integer"), s.Type.Is("number"):
		return 1
	case s.Type.Is("boolean"):
		return false
	default:
		return "node1" // a DNS label, a name, a token: all accept it
	}
}

// strictCase is one kind of bad input and what must come back.
type strictCase struct {
	name        string
	contentType string
	body        func(valid []byte) io.Reader // nil length: sent chunked
	status      int
	mentions    string // the message must name this
}

// splice puts member first in the JSON object valid.
func splice(valid []byte, member string) []byte {
	if string(valid) == "{}" {
		return []byte("{" + member + "}")
	}
	return []byte("{" + member + "," + string(valid[1:]))
}

func strictCases() []strictCase {
	return []strictCase{
		{"unknown field", expectedMedium, func(v []byte) io.Reader {
			return bytes.NewReader(splice(v, `"`+unknownField+`":"x"`))
		}, 400, unknownField},
		{"trailing data", expectedMedium, func(v []byte) io.Reader {
			return bytes.NewReader(append(append([]byte{}, v...), []byte(` {"second":"value"}`)...))
		}, 400, "after its JSON value"},
		{"invalid UTF-8", expectedMedium, func(v []byte) io.Reader {
			return bytes.NewReader(splice(v, "\"description\":\"a\xff\xfeb\""))
		}, 400, "UTF-8"},
		{"duplicate key", expectedMedium, func(v []byte) io.Reader {
			return bytes.NewReader(splice(v, `"`+unknownField+`":"a","`+unknownField+`":"b"`))
		}, 400, `"` + unknownField + `"`},
		{"chunked oversize", expectedMedium, func(v []byte) io.Reader {
			pad := strings.Repeat("x", 2*bodyLimit)
			return io.MultiReader(bytes.NewReader(splice(v, `"description":"`+pad+`"`))) // no Len: chunked
		}, 413, fmt.Sprint(bodyLimit)},
		{"wrong content type", "text/plain", func(v []byte) io.Reader { return bytes.NewReader(v) }, 415, expectedMedium},
	}
}

// TestStrictInputTable sends every case to every route with a body, against
// the sandbox: none may be answered 2xx, and each answer is the one JSON
// error shape naming what was wrong.
func TestStrictInputTable(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_RATE_LIMIT": "0"}) // the table is many requests
	strictTable(t, gate, bodyRoutes(t))
}

// TestStrictInputTableLXD runs the Incus routes of the table in front of a
// real LXD: the refusals happen before any upstream call, and nothing the
// daemon would have accepted slips through.
func TestStrictInputTableLXD(t *testing.T) {
	d := lxdtest.Start(t)
	gate := cgtest.Start(t, map[string]string{"INCUS_SOCKET": d.Socket, "CLUSTERGATE_RATE_LIMIT": "0"})
	var incus []bodyRoute
	for _, r := range bodyRoutes(t) {
		if strings.HasPrefix(r.path, "/v1/1-0/") {
			incus = append(incus, r)
		}
	}
	require.NotEmpty(t, incus)
	strictTable(t, gate, incus)
}

func strictTable(t *testing.T, gate *cgtest.Gate, routes []bodyRoute) {
	for _, r := range routes {
		valid, err := json.Marshal(minimal(r.schema))
		require.NoError(t, err)
		for _, c := range strictCases() {
			t.Run(r.op.OperationID+"/"+c.name, func(t *testing.T) {
				req, err := http.NewRequestWithContext(ctx(t), r.method, gate.URL+r.path, c.body(valid))
				require.NoError(t, err)
				req.Header.Set("Content-Type", c.contentType)
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))
				checkErrorAnswer(t, resp, c.status, c.mentions)
			})
		}
	}
}

// checkErrorAnswer checks status, the JSON error shape and the message.
// Answers to a request net/http could not parse, and the MCP listener's,
// have no request id.
func checkErrorAnswer(t *testing.T, resp *http.Response, status int, mentions string) {
	t.Helper()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, status, resp.StatusCode, "%s", raw)
	assert.Equal(t, "application/json", strings.Split(resp.Header.Get("Content-Type"), ";")[0], "%s", raw)
	var e struct {
		Status    *int   `json:"status"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&e), "the error shape: %s", raw)
	require.NotNil(t, e.Status, "%s", raw)
	assert.Equal(t, status, *e.Status)
	assert.Equal(t, resp.Header.Get("X-Request-Id"), e.RequestID, "the body names the request id the header gives")
	assert.Contains(t, e.Message, mentions)
}

// TestServerAnswersUseTheErrorShape covers the answers clustergate writes
// before any handler: no route, wrong method, oversize with a length, and
// net/http's own refusals (a bad percent-escape, headers over the limit).
func TestServerAnswersUseTheErrorShape(t *testing.T) {
	gate := cgtest.Start(t, nil)
	for _, c := range []struct {
		name, method, path, body string
		header                   string // sent as X-Padding
		status                   int
		mentions                 string
	}{
		{"no route", "GET", "/v1/nothing-here", "", "", 404, "no such route"},
		{"wrong method", "PATCH", "/v1/1-0/cluster", "", "", 405, "Method Not Allowed"},
		{"bad percent-escape", "GET", "/v1/1-0/cluster/members/a%zzb", "", "", 400, `invalid URL escape "%zz"`},
		{"headers over the limit", "GET", "/v1/1-0/cluster", "", strings.Repeat("h", 2<<20), 431, "request headers are larger"},
		{"oversize with length", "PUT", "/v1/1-0/cluster/members/node1", strings.Repeat(" ", 2*bodyLimit), "", 413, fmt.Sprint(bodyLimit)},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx(t), c.method, gate.URL+"/", strings.NewReader(c.body))
			require.NoError(t, err)
			req.URL.Opaque = c.path // sent as written, bad escapes included
			req.Header.Set("Content-Type", expectedMedium)
			if c.header != "" {
				req.Header.Set("X-Padding", c.header)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			checkErrorAnswer(t, resp, c.status, c.mentions)
		})
	}
}

// TestStrictInputTableMCP sends the cases an MCP client can express (a body
// is a JSON value inside the arguments, so trailing data and a content type
// cannot be sent) to every tool with a body, over the Go SDK client: each is
// an error result naming what was wrong, never a success.
func TestStrictInputTableMCP(t *testing.T) {
	gate := cgtest.Start(t, map[string]string{"CLUSTERGATE_RATE_LIMIT": "0"})
	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	listed, err := s.ListTools(ctx(t), nil)
	require.NoError(t, err)
	confirms := map[string]bool{} // the tools whose input schema asks for confirm
	for _, tl := range listed.Tools {
		props, _ := tl.InputSchema.(map[string]any)["properties"].(map[string]any)
		confirms[tl.Name] = props["confirm"] != nil
	}
	for _, r := range bodyRoutes(t) {
		tool, _ := r.op.Extensions["x-mcp-tool"].(string)
		if tool == "" {
			continue
		}
		valid, err := json.Marshal(minimal(r.schema))
		require.NoError(t, err)
		for _, c := range []struct {
			name     string
			body     []byte
			mentions string
		}{
			{"unknown field", splice(valid, `"`+unknownField+`":"x"`), unknownField},
			{"duplicate key", splice(valid, `"`+unknownField+`":"a","`+unknownField+`":"b"`), `"` + unknownField + `"`},
			{"invalid UTF-8", splice(valid, "\"description\":\"a\xff\xfeb\""), "UTF-8"},
			{"oversize", splice(valid, `"description":"`+strings.Repeat("x", 2*bodyLimit)+`"`), fmt.Sprint(bodyLimit)},
		} {
			t.Run(tool+"/"+c.name, func(t *testing.T) {
				args := toolArgs(r, tool, confirms[tool], c.body)
				res, err := s.CallTool(ctx(t), &sdk.CallToolParams{Name: tool, Arguments: args})
				require.NoError(t, err)
				require.True(t, res.IsError, "answered as a success: %s", text(res))
				assert.Contains(t, text(res), c.mentions)
			})
		}
	}
}

// toolArgs are a tool's arguments as raw JSON, so the body reaches the server
// byte for byte (a repeated key or a bad byte included).
// A tool that asks for confirm gets it (its target, or its name without
// one) so the call reaches the server.
func toolArgs(r bodyRoute, tool string, confirm bool, body []byte) json.RawMessage {
	args := map[string]any{}
	if confirm {
		args["confirm"] = tool
		if r.target != "" {
			args["confirm"] = r.target
		}
	}
	for k, v := range r.params {
		args[k] = v
	}
	head, err := json.Marshal(args)
	if err != nil {
		panic(err)
	}
	if len(args) == 0 {
		return json.RawMessage(`{"body":` + string(body) + "}")
	}
	return json.RawMessage(`{"body":` + string(body) + "," + string(head[1:]))
}

// TestMCPArgumentTyping: path and query arguments are held to their
// parameter's schema, over the Go SDK client, as REST callers are by the
// validator; a right-typed call still works.
func TestMCPArgumentTyping(t *testing.T) {
	gate := cgtest.Start(t, nil)
	s, err := mcpSession(t, gate.MCPURL, "")
	require.NoError(t, err)
	for _, c := range []struct {
		tool string
		args map[string]any
		name string
	}{
		{"get-cluster-member", map[string]any{"name": 2}, "name"},
		{"list_clusters", map[string]any{"namespace": 7}, "namespace"},
		{"get_cluster", map[string]any{"namespace": "default", "name": true}, "name"},
	} {
		res := call(t, s, c.tool, c.args)
		require.True(t, res.IsError, "%s answered: %s", c.tool, text(res))
		assert.Contains(t, text(res), `invalid argument "`+c.name+`": value must be a string`)
	}
	ok := call(t, s, "list_clusters", map[string]any{"namespace": "default"})
	assert.False(t, ok.IsError, text(ok))
}

// TestMCPListenerAnswersUseTheErrorShape: the MCP listener's own refusals
// (its mux and the SDK's transport) are the one JSON error shape too.
func TestMCPListenerAnswersUseTheErrorShape(t *testing.T) {
	gate := cgtest.Start(t, nil)
	base := strings.TrimSuffix(gate.MCPURL, "/mcp")
	for _, c := range []struct {
		name, method, path, contentType, body string
		status                                int
		mentions                              string
	}{
		{"no route", "GET", "/nothing", "", "", 404, "no such route"},
		{"wrong method", "PUT", "/mcp", expectedMedium, "{}", 405, "Method Not Allowed"},
		{"wrong content type", "POST", "/mcp", "text/plain", "{}", 415, expectedMedium},
		{"not JSON-RPC", "POST", "/mcp", expectedMedium, "not json", 400, "malformed payload"},
		{"oversize", "POST", "/mcp", expectedMedium, strings.Repeat("x", 5<<20), 413, "bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx(t), c.method, base+c.path, strings.NewReader(c.body))
			require.NoError(t, err)
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			req.Header.Set("Accept", "application/json, text/event-stream")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			checkErrorAnswer(t, resp, c.status, c.mentions)
		})
	}
}
