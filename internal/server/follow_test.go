package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowUpstream's cluster update outlives the wait budget: a running
// operation, which a real daemon gives only by timing luck.
type slowUpstream struct{ failingUpstream }

func (slowUpstream) UpdateCluster(context.Context, api.ClusterPut, string) (*api.Operation, bool, error) {
	return &api.Operation{ID: "op-7f3", Status: "Running", StatusCode: api.Running}, false, nil
}

// TestAcceptedNamesHowToFollowIt: a 202 carries a Location on the facade,
// from the spec's link (operationget, id from the body). The MCP side is
// mcp's TestAcceptedNamesTheToolToFollowIt.
func TestAcceptedNamesHowToFollowIt(t *testing.T) {
	srv, _ := newServer(t, "", slowUpstream{}, time.Second)
	resp, _ := do(t, srv, "PUT", "/v1/1-0/cluster", `{"server_name":"n1","enabled":true}`, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, "/v1/1-0/operations/op-7f3", resp.Header.Get("Location"))
}
