package specgen

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/clustergate/clustergate/internal/vocab"
)

// Published is what every facade says about itself beyond its operations:
// who to contact and under which licence (openapi/pins.yaml `info:`). The
// linters the published spec must pass (Spectral `spectral:oas`, Redocly
// `recommended`) want both.
type Published struct {
	Contact Contact `yaml:"contact"`
	License License `yaml:"license"`
}

// Contact is OpenAPI's info.contact.
type Contact struct {
	Name  string `yaml:"name"`
	URL   string `yaml:"url"`
	Email string `yaml:"email"`
}

// License is OpenAPI's info.license.
type License struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
}

// publish adds the document-level facts a spec consumer and the linters
// expect: contact and licence, a relative server (the spec is served by the
// instance it describes), the surface's tag with a description, and the
// error answers of every operation.
func publish(doc map[string]any, s Surface) {
	info, _ := doc["info"].(map[string]any)
	if info == nil { // an overlay may have patched it away; render refuses the document then
		info = map[string]any{}
		doc["info"] = info
	}
	info["contact"] = omitEmpty(map[string]any{"name": s.Info.Contact.Name, "url": s.Info.Contact.URL, "email": s.Info.Contact.Email})
	info["license"] = omitEmpty(map[string]any{"name": s.Info.License.Name, "url": s.Info.License.URL})
	doc["servers"] = []any{map[string]any{"url": "/", "description": "The clustergate instance serving this document"}}
	doc["tags"] = []any{map[string]any{"name": s.Name,
		"description": "The " + s.Title + " surface: routes under /v1 and the MCP tools derived from them."}}
	paths, _ := doc["paths"].(map[string]any)
	used := map[int]bool{}
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			if o, ok := op.(map[string]any); ok && isMethod(method) {
				declareErrors(path, o, used)
			}
		}
	}
	addErrorResponses(doc, used)
}

// errorAnswer says when an operation can give a status and why. One table
// for every operation of every surface, so an operation added later (an
// overlay route, a new capability route) declares its answers unasked.
type errorAnswer struct {
	status int
	why    string
	when   func(path string, op map[string]any) bool
}

var errorAnswers = []errorAnswer{
	{http.StatusBadRequest, "a parameter or the body does not match the schema, or the upstream refused it as invalid; the message names the field.",
		func(_ string, op map[string]any) bool { return hasBody(op) || len(params(op)) > 0 }},
	{http.StatusUnauthorized, "API keys are configured and the request carries none, or an unknown one.", always},
	// Every operation takes the upstream parameter, and a key may be scoped
	// to some upstreams: 403 and 404 can answer any operation.
	{http.StatusForbidden, "the key's role may not run this operation, the instance runs read-only or with destructive operations disabled, or the upstream parameter names an upstream outside the caller's scope.", always},
	{http.StatusNotFound, "the resource named in the path does not exist upstream, or the upstream parameter names no configured upstream.", always},
	{http.StatusConflict, "the resource's current state refuses the change (it already exists, is not clustered, is being deleted, or changed meanwhile).",
		func(_ string, op map[string]any) bool { return !readOnly(op) }},
	{http.StatusPreconditionFailed, "If-Match does not match the resource's current ETag: it changed since it was read.",
		func(_ string, op map[string]any) bool { return takesHeader(op, "If-Match") }},
	{http.StatusRequestEntityTooLarge, "the body is larger than --max-body-bytes.", func(_ string, op map[string]any) bool { return hasBody(op) }},
	{http.StatusUnsupportedMediaType, "the body is not sent as application/json.", func(_ string, op map[string]any) bool { return hasBody(op) }},
	{http.StatusTooManyRequests, "the caller exceeded --rate-limit; Retry-After says when to come back.", always},
	{http.StatusBadGateway, "the upstream failed or answered something the facade cannot read; its words are kept.", always},
	{http.StatusServiceUnavailable, "the upstream is not configured or not reachable.", always},
	{http.StatusGatewayTimeout, "the upstream did not answer within the request deadline.", always},
}

func always(string, map[string]any) bool { return true }

// declareErrors adds each error answer that applies to op, keeping any the
// upstream or the overlay already documents, and notes the statuses used.
// An answer is a reference to the one shared response (components.responses):
// twelve copies of the same answers per operation made the document half
// error responses, and every process parses it at start.
func declareErrors(path string, op map[string]any, used map[int]bool) {
	responses, _ := op["responses"].(map[string]any)
	if responses == nil {
		return
	}
	for _, a := range errorAnswers {
		code := strconv.Itoa(a.status)
		if _, set := responses[code]; set || !a.when(path, op) {
			continue
		}
		responses[code] = map[string]any{"$ref": "#/components/responses/" + errorResponseName(a.status)}
		used[a.status] = true
	}
}

// addErrorResponses writes the shared error responses the operations use
// (only those: an unused component is a lint warning).
func addErrorResponses(doc map[string]any, used map[int]bool) {
	if len(used) == 0 {
		return
	}
	comps, _ := doc["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
		doc["components"] = comps
	}
	shared, _ := comps["responses"].(map[string]any)
	if shared == nil {
		shared = map[string]any{}
		comps["responses"] = shared
	}
	for _, a := range errorAnswers {
		if !used[a.status] {
			continue
		}
		shared[errorResponseName(a.status)] = map[string]any{
			"description": http.StatusText(a.status) + ": " + a.why,
			"content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
		}
	}
}

// errorResponseName is a status's shared response: 404 is NotFound.
func errorResponseName(status int) string {
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

func hasBody(op map[string]any) bool { return op["requestBody"] != nil }

func params(op map[string]any) []any {
	p, _ := op["parameters"].([]any)
	return p
}

func takesHeader(op map[string]any, name string) bool {
	for _, p := range params(op) {
		m, _ := p.(map[string]any)
		n, _ := m["name"].(string)
		if m["in"] == "header" && strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// readOnly reads the operation's safety class, which classify wrote before
// publish runs: the same class the RBAC table reads.
func readOnly(op map[string]any) bool {
	return op[vocab.ExtClass] == string(vocab.Read)
}

func omitEmpty(m map[string]any) map[string]any {
	for k, v := range m {
		if v == "" {
			delete(m, k)
		}
	}
	return m
}
