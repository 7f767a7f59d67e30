package incus

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lxc/incus/v6/shared/api"
	"github.com/stretchr/testify/assert"

	"github.com/clustergate/clustergate/internal/apierr"
)

// TestAsyncWriteCutByTheDeadlineNamesItsOperation: a real daemon finishes
// its operations too fast to outlive a request, so a fake one starts an
// operation that never ends. The 504 says the write may still complete
// and names the operation to poll on the facade.
func TestAsyncWriteCutByTheDeadlineNamesItsOperation(t *testing.T) {
	const id = "6916c8e1-5f1c-4a3b-9a52-0c1e3c6e4e01"
	sock := fakeIncus(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/1.0/cluster":
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(`{"type":"async","status":"Operation created","status_code":100,"operation":"/1.0/operations/` + id +
				`","metadata":{"id":"` + id + `","class":"task","status":"Running","status_code":103}}`))
		case strings.HasPrefix(r.URL.Path, "/1.0/operations/"+id):
			<-r.Context().Done() // still running when the caller gives up
		default:
			http.NotFound(w, r)
		}
	})
	a := New(Config{Socket: sock, Wait: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, _, err := a.UpdateCluster(ctx, api.ClusterPut{Cluster: api.Cluster{ServerName: "n1", Enabled: true}}, "")
	e := apierr.From(err)
	assert.Equal(t, http.StatusGatewayTimeout, e.Status)
	assert.Contains(t, e.Message, "may still complete")
	assert.Contains(t, e.Message, "poll GET /v1/1-0/operations/"+id)
	assert.Equal(t, Name, e.Upstream)
}
