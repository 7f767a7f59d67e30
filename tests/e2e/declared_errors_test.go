package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// servedSpec is the document the instance publishes at /openapi.json.
func servedSpec(t *testing.T, g *cgtest.Gate) *openapi3.T {
	t.Helper()
	resp, err := http.Get(g.URL + "/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	require.NoError(t, err)
	return doc
}

// send sends one request to an operation of the served spec, its path
// parameters filled with "x", and returns the status and the error body.
func send(t *testing.T, g *cgtest.Gate, method, path, contentType, body string, hdr map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, g.URL+pathParam.ReplaceAllString(path, "x"), strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestDeclaredErrorAnswersAreGiven checks, for every operation the served
// spec lists, the error answers specgen declares for it by rule: each one
// the operation takes without upstream help (no key: 401; a body of the
// wrong media type: 415; a body over the limit: 413) is really given, with
// the Error body, and is declared. A new operation is checked unasked.
func TestDeclaredErrorAnswersAreGiven(t *testing.T) {
	const maxBody = 64
	open := cgtest.Start(t, map[string]string{"CLUSTERGATE_MAX_BODY_BYTES": strconv.Itoa(maxBody), "CLUSTERGATE_RATE_LIMIT": "0"})
	keyed := cgtest.Start(t, map[string]string{"CLUSTERGATE_API_KEYS": "admin=declared-errors-key", "CLUSTERGATE_RATE_LIMIT": "0"})
	doc := servedSpec(t, open)
	bodies := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			declared := func(code int) bool { return op.Responses.Value(strconv.Itoa(code)) != nil }
			expect := func(code int, got int, body map[string]any) {
				t.Helper()
				assert.Equal(t, code, got, name)
				assert.True(t, declared(code), "%s gives %d but does not declare it", name, code)
				assert.EqualValues(t, code, body["status"], "%s: Error body", name)
				assert.NotEmpty(t, body["message"], "%s: Error body", name)
			}
			code, body := send(t, keyed, method, path, "", "", nil)
			expect(http.StatusUnauthorized, code, body)
			if op.RequestBody == nil {
				assert.False(t, declared(http.StatusUnsupportedMediaType) || declared(http.StatusRequestEntityTooLarge),
					"%s takes no body, so it declares neither 413 nor 415", name)
				continue
			}
			bodies++
			code, body = send(t, open, method, path, "text/plain", "{}", nil)
			expect(http.StatusUnsupportedMediaType, code, body)
			assert.Contains(t, body["message"], "application/json", "%s: the 415 says what to send", name)
			code, body = send(t, open, method, path, "application/json", `{"pad":"`+strings.Repeat("a", maxBody)+`"}`, nil)
			expect(http.StatusRequestEntityTooLarge, code, body)
		}
	}
	assert.Positive(t, bodies, "some operations take a body")
}
