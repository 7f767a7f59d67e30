package kubetest_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"

	capisandbox "github.com/clustergate/clustergate/sandbox/capi"
	"github.com/clustergate/clustergate/tests/kubetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kubetest.StopShared()
	os.Exit(code)
}

// TestManagement: Cluster API's controllers reconcile a ClusterClass whose
// provider templates exist, and its admission webhooks are called by the API
// server: a topology version that is not semantic is refused in the
// webhook's words.
func TestManagement(t *testing.T) {
	m := kubetest.Shared(t)
	m.Namespace(t, "harness")
	m.InstallClass(t, capisandbox.QuickStart("harness"))

	cl := &clusterv1.Cluster{ObjectMeta: metav1.ObjectMeta{Namespace: "harness", Name: "bad-version"}}
	cl.Spec.Topology.ClassRef.Name = capisandbox.TemplateName
	cl.Spec.Topology.Version = "v1.36"
	cl.Spec.Topology.Variables = []clusterv1.ClusterVariable{{Name: "region", Value: *kubetest.JSON(`"eu"`)}}
	err := m.Client.Create(context.Background(), cl)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `admission webhook "validation.cluster.cluster.x-k8s.io" denied the request`)
	assert.Contains(t, err.Error(), "spec.topology.version")
}
