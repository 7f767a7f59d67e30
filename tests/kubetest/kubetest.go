// Package kubetest starts a real kube-apiserver and etcd (controller-runtime's
// envtest) with the Cluster API CRDs installed, for end-to-end tests of the
// Cluster API surface, in two forms:
//
//   - Start: a bare API server, no controller. Tests play Cluster API's
//     controllers themselves (status, finalizers, MachineDeployments,
//     Machines, Nodes) with the helpers of capi.go. ~6 s, one per test.
//   - Shared: a management cluster where Cluster API's own core controller
//     manager runs with its admission webhooks (manager.go), plus the CRDs
//     of the kubeadm and docker providers. Tests report only what those
//     providers, which do not run, would (topology.go). ~1 min to start, so
//     one per test binary, stopped by StopShared from TestMain.
//
// The binaries come from $KUBEBUILDER_ASSETS when set, else from the cache
// tests/scripts/build-kube.sh and build-capi.sh fill:
//
//	${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/kube-<version>/{kube-apiserver,etcd}
//	${CLUSTERGATE_CACHE:-$HOME/.cache/clustergate}/capi-<version>/capi-manager
//
// where the versions are those tests/upstreams/kube and tests/upstreams/capi
// pin. Cold builds take minutes, so tests never build: when a binary is
// missing the test is skipped with the command to run, unless $CI is
// "true", in which case it fails. Start's CRDs come from the
// sigs.k8s.io/cluster-api module the main module requires
// (core/config/crd/bases); Shared's from the version tests/upstreams/capi pins.
package kubetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Env is a running control plane. It is stopped in t.Cleanup.
type Env struct {
	// Config reaches the API server as an admin (system:masters).
	Config *rest.Config
	// Client is an admin client knowing core/v1 and cluster.x-k8s.io/v1beta2.
	Client client.Client
	// Kubeconfig is an admin kubeconfig for the API server.
	Kubeconfig []byte
	// KubeconfigPath is Kubeconfig written to a file of the test's temp dir.
	KubeconfigPath string

	te *envtest.Environment
}

// Start starts kube-apiserver and etcd with free loopback ports, installs the
// Cluster API CRDs and registers the shutdown (by PID, SIGTERM then SIGKILL,
// bounded) with t.Cleanup. It takes ~6 s.
func Start(t testing.TB) *Env {
	t.Helper()
	assets := Assets(t)
	crds := CRDDir(t)
	te := &envtest.Environment{
		CRDDirectoryPaths:        []string{crds},
		ErrorIfCRDPathMissing:    true,
		UseExistingCluster:       new(false), // never USE_EXISTING_CLUSTER from the environment
		ControlPlaneStartTimeout: 60 * time.Second,
		ControlPlaneStopTimeout:  20 * time.Second,
	}
	// Explicit paths: envtest would otherwise let TEST_ASSET_* and
	// KUBEBUILDER_ASSETS pick other binaries than the ones checked here.
	te.ControlPlane.GetAPIServer().Path = filepath.Join(assets, "kube-apiserver")
	te.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(assets, "etcd")}
	cfg, err := te.Start()
	require.NoError(t, err, "kubetest: start envtest with %s", assets)
	t.Cleanup(func() {
		if err := te.Stop(); err != nil {
			t.Errorf("kubetest: stop envtest: %v", err)
		}
	})
	admin, err := te.AddUser(envtest.User{Name: "kubetest-admin", Groups: []string{"system:masters"}}, cfg)
	require.NoError(t, err)
	kubeconfig, err := admin.KubeConfig()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, kubeconfig, 0o600))
	c, err := client.New(admin.Config(), client.Options{Scheme: Scheme})
	require.NoError(t, err)
	return &Env{Config: admin.Config(), Client: c, Kubeconfig: kubeconfig, KubeconfigPath: path, te: te}
}

// Assets returns the folder holding kube-apiserver and etcd, or skips (fails
// under CI=true) the test when they are missing.
func Assets(t testing.TB) string {
	t.Helper()
	dir, err := assetsDir()
	if err == nil {
		for _, bin := range []string{"kube-apiserver", "etcd"} {
			if st, serr := os.Stat(filepath.Join(dir, bin)); serr != nil || st.IsDir() || st.Mode()&0o111 == 0 {
				err = fmt.Errorf("%s has no executable %s", dir, bin)
				break
			}
		}
	}
	if err != nil {
		msg := fmt.Sprintf("kubetest: no kube-apiserver/etcd: %v; build them with `bash tests/scripts/build-kube.sh` (or `make test-deps`), or set KUBEBUILDER_ASSETS", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (set CI=true to make this fatal)")
	}
	return dir
}

func assetsDir() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	version, err := requiredVersion(filepath.Join("kube", "go.mod"), "k8s.io/kubernetes")
	if err != nil {
		return "", err
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "kube-"+version), nil
}

var crdDir struct {
	sync.Once
	path string
	err  error
}

// CRDDir returns the folder of Cluster API's core CRDs in the module cache,
// at the version the main module requires (`go mod download` fetches it if
// needed).
func CRDDir(t testing.TB) string {
	t.Helper()
	crdDir.Do(func() {
		cmd := exec.Command("go", "mod", "download", "-json", "sigs.k8s.io/cluster-api")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var info struct{ Dir, Error string }
		_ = json.Unmarshal(out, &info)
		switch {
		case info.Error != "":
			crdDir.err = fmt.Errorf("go mod download sigs.k8s.io/cluster-api: %s", info.Error)
		case err != nil:
			crdDir.err = fmt.Errorf("go mod download sigs.k8s.io/cluster-api: %w: %s", err, stderr.String())
		default:
			crdDir.path = filepath.Join(info.Dir, "core", "config", "crd", "bases")
		}
	})
	require.NoError(t, crdDir.err)
	return crdDir.path
}
