package mcp

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/clustergate/clustergate/internal/catalog"
)

// follow is how an agent follows this tool's 202: the operation the facade
// spec's link names, and so its tool.
type follow struct {
	link   *catalog.Follow
	target catalog.Op
}

// setFollow finds the operation the 202 link names among the surface's.
func (t *Tool) setFollow(ops []catalog.Op) {
	if t.Op.Follow == nil {
		return
	}
	if target, ok := catalog.ByID(ops, t.Op.Follow.OperationID); ok {
		t.follow = &follow{link: t.Op.Follow, target: target}
	}
}

// acceptedText tells the agent the work is still running and which tool to
// call, with which arguments, to follow it (get-operation for an Incus
// operation, get_cluster for a provisioning cluster).
func (t *Tool) acceptedText(args map[string]json.RawMessage, body []byte) string {
	const running = "still running (HTTP 202)"
	if t.follow == nil {
		return running
	}
	path := map[string]string{}
	for _, p := range t.params {
		if v, ok := args[p.arg]; ok && p.in == "path" {
			path[p.name] = scalar(v)
		}
	}
	params, err := t.follow.link.Resolve(path, body)
	if err != nil {
		return running
	}
	// The operation lives on the upstream that started it.
	upstream, onUpstream := args["upstream"]
	if t.follow.target.Tool == "" {
		u := t.follow.target.URL(params)
		if onUpstream {
			u += "?upstream=" + url.QueryEscape(scalar(upstream))
		}
		return fmt.Sprintf("%s; follow it with GET %s", running, u)
	}
	if onUpstream {
		params["upstream"] = scalar(upstream)
	}
	call, err := json.Marshal(params) // path and query arguments are named as their parameters
	if err != nil {
		return running
	}
	return fmt.Sprintf("%s; follow it with the tool %s and the arguments %s", running, t.follow.target.Tool, call)
}
