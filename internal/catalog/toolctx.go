package catalog

import "context"

type toolKey struct{}

// WithTool marks a request's context as made for an MCP tool call, so the
// access log names the tool. A context, not a header: a REST client cannot
// set it.
func WithTool(ctx context.Context, tool string) context.Context {
	return context.WithValue(ctx, toolKey{}, tool)
}

// ToolOf returns the MCP tool a request was made for; "" for REST.
func ToolOf(ctx context.Context) string {
	tool, _ := ctx.Value(toolKey{}).(string)
	return tool
}
