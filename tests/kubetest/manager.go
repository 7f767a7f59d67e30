package kubetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Management is a management cluster that behaves like one: kube-apiserver
// and etcd with Cluster API's core CRDs and the CRDs of the kubeadm
// bootstrap and control-plane providers and of the docker infrastructure
// provider, plus Cluster API's own core controller manager (ClusterTopology
// on) serving and registered for its admission webhooks.
//
// No provider controller runs: nothing here can create machines, so the
// tests report what a control-plane or infrastructure provider would (see
// ReportInfrastructure and ReportControlPlane), and Machines stay
// provisioning.
type Management struct {
	*Env
	// ManagerLog is the controller manager's log file.
	ManagerLog string

	manager *exec.Cmd
	exited  chan struct{}
	stopAPI func() error
	dir     string
}

// managerReady marks the log line after which the topology controller
// works. The manager starts its controllers some time after it serves
// /readyz: ~3 s measured on this machine, ~45 s in an earlier measurement.
const managerReady = `controller="topology/cluster"`

// managerStart bounds the wait for managerReady.
const managerStart = 4 * time.Minute

var shared struct {
	sync.Mutex
	m   *Management
	err error
}

// Shared returns the management cluster of this test binary, starting it on
// first use (~15 s measured: envtest and the CRDs, then the manager's
// controllers; bounded by managerStart).
// The test binary's TestMain must call StopShared after m.Run. Tests share
// it: each works in its own namespace. Missing binaries skip the test (fail
// under CI=true), as Start does.
func Shared(t testing.TB) *Management {
	t.Helper()
	assets := Assets(t)
	bin := ManagerBinary(t)
	shared.Lock()
	defer shared.Unlock()
	if shared.m == nil && shared.err == nil {
		shared.m, shared.err = startManagement(assets, bin)
	}
	if shared.err != nil {
		t.Fatalf("kubetest: management cluster: %v", shared.err)
	}
	return shared.m
}

// StopShared stops the shared management cluster, if one was started.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.m != nil {
		if err := shared.m.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "kubetest: stop management cluster: %v\n", err)
		}
		shared.m = nil
	}
}

func startManagement(assets, bin string) (_ *Management, err error) {
	core, test, err := capiDirs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kubetest-capi")
	if err != nil {
		return nil, err
	}
	m := &Management{dir: dir, ManagerLog: filepath.Join(dir, "manager.log")}
	defer func() {
		if err != nil {
			_ = m.stop()
		}
	}()
	providers, err := providerCRDs(core, test)
	if err != nil {
		return nil, err
	}
	wh, err := webhookOptions(core)
	if err != nil {
		return nil, err
	}
	te := &envtest.Environment{
		CRDDirectoryPaths:        []string{filepath.Join(core, "core", "config", "crd", "bases")},
		CRDs:                     providers,
		ErrorIfCRDPathMissing:    true,
		WebhookInstallOptions:    *wh,
		UseExistingCluster:       new(false),
		ControlPlaneStartTimeout: 60 * time.Second,
		ControlPlaneStopTimeout:  20 * time.Second,
	}
	te.ControlPlane.GetAPIServer().Path = filepath.Join(assets, "kube-apiserver")
	te.ControlPlane.Etcd = &envtest.Etcd{Path: filepath.Join(assets, "etcd")}
	cfg, err := te.Start()
	if err != nil {
		return nil, fmt.Errorf("start envtest with %s: %w", assets, err)
	}
	m.stopAPI = te.Stop
	if m.Env, err = adminEnv(te, cfg, dir); err != nil {
		return nil, err
	}
	if err := m.startManager(bin, &te.WebhookInstallOptions); err != nil {
		return nil, err
	}
	return m, nil
}

// adminEnv adds an admin user and writes its kubeconfig into dir.
func adminEnv(te *envtest.Environment, cfg *rest.Config, dir string) (*Env, error) {
	admin, err := te.AddUser(envtest.User{Name: "kubetest-admin", Groups: []string{"system:masters"}}, cfg)
	if err != nil {
		return nil, fmt.Errorf("add admin user: %w", err)
	}
	kubeconfig, err := admin.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("admin kubeconfig: %w", err)
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		return nil, err
	}
	c, err := client.New(admin.Config(), client.Options{Scheme: Scheme})
	if err != nil {
		return nil, fmt.Errorf("admin client: %w", err)
	}
	return &Env{Config: admin.Config(), Client: c, Kubeconfig: kubeconfig, KubeconfigPath: path}, nil
}

// startManager runs Cluster API's core manager against the API server and
// waits until its topology controller works.
func (m *Management) startManager(bin string, wh *envtest.WebhookInstallOptions) error {
	health, err := freePort()
	if err != nil {
		return err
	}
	diag, err := freePort()
	if err != nil {
		return err
	}
	logf, err := os.Create(m.ManagerLog)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin,
		"--kubeconfig="+m.KubeconfigPath,
		"--feature-gates=ClusterTopology=true",
		"--webhook-port="+strconv.Itoa(wh.LocalServingPort),
		"--webhook-cert-dir="+wh.LocalServingCertDir,
		"--health-addr=127.0.0.1:"+strconv.Itoa(health),
		"--diagnostics-address=127.0.0.1:"+strconv.Itoa(diag),
		"--insecure-diagnostics",
		"--leader-elect=false",
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so a ^C to the test binary does not reach it
	// before stop does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	m.manager, m.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(m.exited) }()
	if err := m.waitManager(wh); err != nil {
		return fmt.Errorf("%w; last lines of %s:\n%s", err, m.ManagerLog, tail(m.ManagerLog, 15))
	}
	return nil
}

// waitManager waits, bounded, for the topology controller's workers and the
// webhook server's TLS port.
func (m *Management) waitManager(wh *envtest.WebhookInstallOptions) error {
	deadline := time.Now().Add(managerStart)
	for ; time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		select {
		case <-m.exited:
			return errors.New("the Cluster API manager exited")
		default:
		}
		if raw, _ := os.ReadFile(m.ManagerLog); workersStarted(raw) && webhookServes(wh) == nil {
			return nil
		}
	}
	return fmt.Errorf("the Cluster API manager's topology controller did not start within %s (webhook: %v)", managerStart, webhookServes(wh))
}

func workersStarted(log []byte) bool {
	for line := range bytes.Lines(log) {
		if bytes.Contains(line, []byte("Starting workers")) && bytes.Contains(line, []byte(managerReady)) {
			return true
		}
	}
	return false
}

// webhookServes completes a TLS handshake with the webhook port, trusting
// only the CA registered with the API server.
func webhookServes(wh *envtest.WebhookInstallOptions) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(wh.LocalServingCAData)
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: time.Second}, Config: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(wh.LocalServingHost, strconv.Itoa(wh.LocalServingPort)))
	if err != nil {
		return err
	}
	return conn.Close()
}

// stop stops the manager by PID (SIGTERM, then SIGKILL after 10 s), then the
// API server and etcd, then removes the working folder (kept, with the
// manager's log, when $KUBETEST_KEEP is set).
func (m *Management) stop() error {
	var errs []error
	if m.manager != nil {
		_ = m.manager.Process.Signal(syscall.SIGTERM)
		select {
		case <-m.exited:
		case <-time.After(10 * time.Second):
			_ = m.manager.Process.Kill()
			<-m.exited
		}
	}
	if m.stopAPI != nil {
		errs = append(errs, m.stopAPI())
	}
	if os.Getenv("KUBETEST_KEEP") == "" {
		errs = append(errs, os.RemoveAll(m.dir))
	}
	return errors.Join(errs...)
}

// ManagerLogTail returns the last n lines of the manager's log, for failure
// messages.
func (m *Management) ManagerLogTail(n int) string { return tail(m.ManagerLog, n) }

func tail(path string, n int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ManagerBinary returns Cluster API's core manager built by
// tests/scripts/build-capi.sh, or skips (fails under CI=true) the test when
// it is missing.
func ManagerBinary(t testing.TB) string {
	t.Helper()
	path, err := managerPath()
	if err == nil {
		if st, serr := os.Stat(path); serr != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			err = fmt.Errorf("no executable %s", path)
		}
	}
	if err != nil {
		msg := fmt.Sprintf("kubetest: no Cluster API manager: %v; build it with `bash tests/scripts/build-capi.sh` (or `make test-deps`)", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (set CI=true to make this fatal)")
	}
	return path
}

func managerPath() (string, error) {
	version, err := CAPIVersion()
	if err != nil {
		return "", err
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "capi-"+version, "capi-manager"), nil
}

func cacheDir() (string, error) {
	if cache := os.Getenv("CLUSTERGATE_CACHE"); cache != "" {
		return cache, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no CLUSTERGATE_CACHE and no home directory: %w", err)
	}
	return filepath.Join(home, ".cache", "clustergate"), nil
}

// CAPIVersion is the sigs.k8s.io/cluster-api version tests/upstreams/capi
// pins, as build-capi.sh reads it, so both name the same cache folder.
func CAPIVersion() (string, error) {
	return requiredVersion(filepath.Join("capi", "go.mod"), "sigs.k8s.io/cluster-api")
}

// requiredVersion reads the version of module that tests/upstreams/<gomod>
// requires.
func requiredVersion(gomod, module string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the kubetest source")
	}
	path := filepath.Join(filepath.Dir(file), "..", "upstreams", gomod)
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == module {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("%s does not require %s", path, module)
}
