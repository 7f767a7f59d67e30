package mcp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/internal/catalog"
	"github.com/clustergate/clustergate/mcp"
)

// FuzzToolArguments sends arbitrary bytes as a tool call's arguments (what
// an agent, or a model's hallucination, may send) and checks that:
//   - nothing panics;
//   - a refusal (no request made) is an error result with a message;
//   - a request that is made goes to the tool's own route: the arguments
//     fill the path template's parameters, each with a non-empty segment
//     (an empty one names another route, or none), and cannot add, remove
//     or rename a segment; only declared query parameters are sent;
//   - a destructive tool reaches the handler only with a confirm argument.
//
// The handler stands in for the REST chain and answers 200 {}.
func FuzzToolArguments(f *testing.F) {
	spec, err := incuscluster.GetSwagger()
	if err != nil {
		f.Fatal(err)
	}
	ops, err := catalog.FromSpec("incus-cluster", spec)
	if err != nil {
		f.Fatal(err)
	}
	tools, err := mcp.Derive(map[string]*openapi3.T{"incus-cluster": spec}, ops)
	if err != nil || len(tools) == 0 {
		f.Fatalf("derive tools: %v", err)
	}
	for i, t := range tools {
		f.Add(uint8(i), []byte(`{}`))
		f.Add(uint8(i), validArgs(t))
	}
	f.Fuzz(func(t *testing.T, which uint8, args []byte) {
		defer func() { // fail this input, not the whole test binary
			if p := recover(); p != nil {
				t.Fatalf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		tool := &tools[int(which)%len(tools)]
		var got *http.Request
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{}`))
		})
		var observed string
		c := &mcp.Caller{Handler: h, MaxResult: 1 << 10, Observe: func(_, outcome string) { observed = outcome }}
		o := c.Call(context.Background(), tool, json.RawMessage(args), "Bearer k")
		if got == nil {
			if o.Status != 0 || !o.IsError || strings.TrimSpace(o.Text) == "" || observed != "refused" {
				t.Fatalf("%s %q: no request was made, so the result is a refusal with a message; got %+v (%s)", tool.Name, args, o, observed)
			}
			return
		}
		if o.Status != 200 || o.IsError || o.Text == "" || observed != "ok" {
			t.Fatalf("%s %q: the handler answered 200 {}, got %+v (%s)", tool.Name, args, o, observed)
		}
		if got.Method != tool.Op.Method {
			t.Fatalf("%s %q: method %s, want %s", tool.Name, args, got.Method, tool.Op.Method)
		}
		if tool.Annotations.Destructive {
			var m map[string]json.RawMessage
			if json.Unmarshal(args, &m) != nil || m["confirm"] == nil {
				t.Fatalf("%s %q: a destructive call ran without confirm", tool.Name, args)
			}
		}
		if !sameRoute(tool.Op.Path, got.URL.EscapedPath()) {
			t.Fatalf("%s %q: path %s does not fill template %s", tool.Name, args, got.URL.EscapedPath(), tool.Op.Path)
		}
		props, _ := tool.InputSchema["properties"].(map[string]any)
		for name := range got.URL.Query() {
			if _, ok := props[name]; !ok {
				t.Fatalf("%s %q: query parameter %q is not one of the tool's", tool.Name, args, name)
			}
		}
	})
}

// sameRoute says whether an escaped request path fills the template: same
// segments, literal ones equal, parameters not empty.
func sameRoute(template, path string) bool {
	want, got := strings.Split(template, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if param := strings.HasPrefix(want[i], "{"); (param && got[i] == "") || (!param && want[i] != got[i]) {
			return false
		}
	}
	return true
}

// validArgs fills every required argument with a plain value; confirm
// repeats the target (every Incus destructive tool has a {name} target).
func validArgs(t mcp.Tool) []byte {
	args := map[string]any{}
	required, _ := t.InputSchema["required"].([]string)
	for _, name := range required {
		args[name] = "m1"
	}
	if _, ok := args["body"]; ok {
		args["body"] = map[string]any{}
	}
	raw, _ := json.Marshal(args)
	return raw
}
