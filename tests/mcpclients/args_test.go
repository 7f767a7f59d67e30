package mcpclients

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// TestInspectorArgumentTyping sends path and query arguments of the wrong
// JSON type with the Inspector (its --tool-arg JSON-parses 2 and 7 into
// numbers) to the sandbox: both are refused with an error result naming the
// argument, where they used to be sent on as "2" and "7".
func TestInspectorArgumentTyping(t *testing.T) {
	dir := clients(t)
	g := cgtest.Start(t, nil)
	env := clientEnv(t)
	for _, c := range []struct{ tool, arg, name string }{
		{"get-cluster-member", "name=2", "name"},      // a path parameter
		{"list_clusters", "namespace=7", "namespace"}, // a query parameter
	} {
		t.Run(c.tool, func(t *testing.T) {
			res := inspector(t, dir, env, "--server-url", g.MCPURL, "--transport", "http", "--format", "json",
				"--stored-auth-only", "--method", "tools/call", "--tool-name", c.tool, "--tool-arg", c.arg)
			require.Equal(t, exitToolError, res.code, "stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
			out := decode[callOutput](t, res)
			assert.True(t, out.Result.IsError)
			assert.Contains(t, out.text(), `invalid argument "`+c.name+`": value must be a string`)
		})
	}
}
