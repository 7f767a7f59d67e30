package faults

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/clustergate/clustergate/tests/cgtest"
)

// Discovery documents of a management cluster serving Cluster API v1beta2:
// a Kubernetes API server keeps serving discovery from memory when its
// storage fails, so the faults below hit the resource routes.
const (
	coreVersions = `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}`
	groupList    = `{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"cluster.x-k8s.io","versions":[{"groupVersion":"cluster.x-k8s.io/v1beta2","version":"v1beta2"}],"preferredVersion":{"groupVersion":"cluster.x-k8s.io/v1beta2","version":"v1beta2"}}]}`
	capiGroup    = `{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"cluster.x-k8s.io/v1beta2","resources":[` +
		`{"name":"clusters","singularName":"cluster","namespaced":true,"kind":"Cluster","verbs":["get","list","create","update","patch","delete"]},` +
		`{"name":"clusterclasses","singularName":"clusterclass","namespaced":true,"kind":"ClusterClass","verbs":["get","list"]},` +
		`{"name":"machinedeployments","singularName":"machinedeployment","namespaced":true,"kind":"MachineDeployment","verbs":["get","list","update","patch"]},` +
		`{"name":"machines","singularName":"machine","namespaced":true,"kind":"Machine","verbs":["get","list"]}]}`
	coreGroup = `{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["get"]}]}`
	// etcdDown is the Status a kube-apiserver answers when its storage fails.
	etcdDown = `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500}`
)

// kubeHandler is a management cluster whose discovery works and whose
// resource routes misbehave as f says.
func kubeHandler(f fault) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api":
			_, _ = w.Write([]byte(coreVersions))
			return
		case "/apis":
			_, _ = w.Write([]byte(groupList))
			return
		case "/apis/cluster.x-k8s.io/v1beta2":
			_, _ = w.Write([]byte(capiGroup))
			return
		case "/api/v1":
			_, _ = w.Write([]byte(coreGroup))
			return
		}
		switch f {
		case hang:
			<-r.Context().Done()
		case serverErr:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(etcdDown))
		default:
			misbehave(f, w, r)
		}
	})
}

// kubeconfigFor writes a kubeconfig whose server is url (TLS not checked
// unless the server's certificate is the point of the test).
func kubeconfigFor(t *testing.T, url string) string {
	t.Helper()
	raw, err := clientcmd.Write(clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{"m": {Server: url, InsecureSkipTLSVerify: strings.HasPrefix(url, "http://")}},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"m": {Token: "faults"}},
		Contexts:       map[string]*clientcmdapi.Context{"m": {Cluster: "m", AuthInfo: "m"}},
		CurrentContext: "m",
	})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	return path
}

func faultyKube(f fault) func(t *testing.T) string {
	return func(t *testing.T) string {
		srv := httptest.NewServer(kubeHandler(f))
		t.Cleanup(srv.Close)
		return kubeconfigFor(t, srv.URL)
	}
}

// TestCapiFaults: a management cluster that is down, slow or failing gives
// the documented status naming the capi upstream within the request
// deadline; the other surfaces keep serving and nothing leaks.
func TestCapiFaults(t *testing.T) {
	healthy := httptest.NewServer(healthyPx())
	defer healthy.Close()
	cases := []struct {
		name       string
		kubeconfig func(t *testing.T) string
		status     int
		says       string
	}{
		{"down (refuses connections)", func(t *testing.T) string { return kubeconfigFor(t, "http://"+closedPort(t)) },
			503, "capi upstream is not reachable"},
		{"slow (no answer)", faultyKube(hang), 504, "no answer within the request deadline"},
		{string(serverErr), faultyKube(serverErr), 502, "capi: list clusters in all namespaces: etcdserver: request timed out"},
		{string(malformed), faultyKube(malformed), 502, "capi: list clusters in all namespaces"},
		{"bad TLS certificate", func(t *testing.T) string {
			srv := untrustedTLS(t, kubeHandler(serverErr))
			return kubeconfigFor(t, srv.URL)
		}, 502, "certificate signed by unknown authority"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gate := cgtest.Start(t, map[string]string{"KUBECONFIG": c.kubeconfig(t), "PORTWORX_ENDPOINT": healthy.URL,
				"CLUSTERGATE_REQUEST_TIMEOUT": deadline.String()})
			a := fetch(t, gate.URL+"/v1/capi/clusters")
			assert.Equal(t, c.status, a.status, a.body)
			assert.Contains(t, a.body, c.says)
			assert.Contains(t, a.body, `"upstream":"capi"`)
			assert.Less(t, a.took, deadline+time.Second, "answered within the deadline")
			other := fetch(t, gate.URL+"/v1/v1/clusterpairs")
			assert.Equal(t, 200, other.status, "the Portworx surface keeps serving")
			status, r := readyz(t, gate)
			assert.Equal(t, 503, status, "a configured management cluster that fails holds readiness back")
			assert.False(t, r.Upstreams["capi"].Ready)
			assert.True(t, r.Upstreams["portworx"].Ready)
			before := settled()
			repeat(t, gate.URL+"/v1/capi/clusters")
			noLeak(t, before)
		})
	}
}
