package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clustergate/clustergate/generated/incuscluster"
	"github.com/clustergate/clustergate/mcp"
)

// slowUpstream's cluster update outlives the wait budget: a running
// operation, which a real daemon gives only by timing luck.
type slowUpstream struct{ failingUpstream }

func (slowUpstream) UpdateCluster(context.Context, api.ClusterPut, string) (*api.Operation, bool, error) {
	return &api.Operation{ID: "op-7f3", Status: "Running", StatusCode: api.Running}, false, nil
}

// TestAcceptedNamesHowToFollowIt: a 202 carries a Location on the facade and
// an MCP result names the tool and arguments that poll it, both from the
// spec's link (operationget, id from the body).
func TestAcceptedNamesHowToFollowIt(t *testing.T) {
	srv, _ := newServer(t, "", slowUpstream{}, time.Second)
	resp, _ := do(t, srv, "PUT", "/v1/1-0/cluster", `{"server_name":"n1","enabled":true}`, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, "/v1/1-0/operations/op-7f3", resp.Header.Get("Location"))

	spec, err := incuscluster.GetSwagger()
	require.NoError(t, err)
	tools, err := mcp.Derive(map[string]*openapi3.T{"incus-cluster": spec})
	require.NoError(t, err)
	var tool *mcp.Tool
	for i := range tools {
		if tools[i].Name == "update-cluster-configuration" {
			tool = &tools[i]
		}
	}
	require.NotNil(t, tool)
	args, err := json.Marshal(map[string]any{"body": map[string]any{"server_name": "n1", "enabled": true}})
	require.NoError(t, err)
	o := (&mcp.Caller{Handler: srv.Config.Handler}).Call(context.Background(), tool, args, "")
	require.False(t, o.IsError, o.Text)
	assert.Contains(t, o.Text, `still running (HTTP 202); follow it with the tool get-operation and the arguments {"id":"op-7f3"}`)
}
