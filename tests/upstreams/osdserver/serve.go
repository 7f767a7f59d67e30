package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/libopenstorage/openstorage/alerts"
	"github.com/libopenstorage/openstorage/api/server/sdk"
	"github.com/libopenstorage/openstorage/cluster"
	clustermanager "github.com/libopenstorage/openstorage/cluster/manager"
	"github.com/libopenstorage/openstorage/config"
	"github.com/libopenstorage/openstorage/objectstore"
	"github.com/libopenstorage/openstorage/pkg/auth"
	"github.com/libopenstorage/openstorage/pkg/auth/systemtoken"
	"github.com/libopenstorage/openstorage/pkg/role"
	policy "github.com/libopenstorage/openstorage/pkg/storagepolicy"
	"github.com/libopenstorage/openstorage/schedpolicy"
	volumedrivers "github.com/libopenstorage/openstorage/volume/drivers"
	"github.com/portworx/kvdb"
	"github.com/portworx/kvdb/mem"
	"github.com/sirupsen/logrus"
)

const (
	defaultJWTIssuer = "openstorage.io"
	volumeDriverName = "fake"
)

type serveConfig struct {
	host          string
	restPort      int
	grpcPort      int
	legacyPort    int
	gossipPort    int
	clusterID     string
	clusterName   string
	nodeID        string
	jwtSecret     string
	jwtIssuer     string
	tlsCert       string
	tlsKey        string
	systemSecret  string
	usernameClaim string
	startCluster  bool
	accessLogs    bool
	stdinEOFExit  bool
	logLevel      string
	readyTimeout  time.Duration
}

func parseServeFlags(args []string) (*serveConfig, error) {
	c := &serveConfig{}
	fs := flag.NewFlagSet("osdserver", flag.ContinueOnError)
	fs.StringVar(&c.host, "host", "127.0.0.1", "IP address every server listens on and advertises")
	fs.IntVar(&c.restPort, "rest-port", 0, "SDK REST gateway port (0 = pick a free one)")
	fs.IntVar(&c.grpcPort, "grpc-port", 0, "SDK gRPC port (0 = pick a free one)")
	fs.IntVar(&c.legacyPort, "legacy-port", 0, "legacy cluster REST API port serving /v1/cluster/... incl. POST /v1/cluster/pair (0 = pick a free one)")
	fs.IntVar(&c.gossipPort, "gossip-port", 0, "cluster manager gossip port (0 = pick a free one)")
	fs.StringVar(&c.clusterID, "cluster-id", "", "cluster UUID reported as remote_cluster_id / pair id (default: random)")
	fs.StringVar(&c.clusterName, "cluster-name", "osdserver", "cluster name (openstorage ClusterId) reported as remote_cluster_name")
	fs.StringVar(&c.nodeID, "node-id", "node-1", "node id of the single node")
	fs.StringVar(&c.jwtSecret, "jwt-shared-secret", "", "enable SDK auth with a shared-secret (HS256) JWT authenticator")
	fs.StringVar(&c.jwtIssuer, "jwt-issuer", defaultJWTIssuer, "issuer (iss claim) accepted for --jwt-shared-secret tokens")
	fs.StringVar(&c.systemSecret, "jwt-system-shared-secret", "", "secret of the system token manager used for pair tokens when auth is on (default: --jwt-shared-secret)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate: serve the SDK REST gateway (and gRPC on TCP) over TLS; needs --tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM key of --tls-cert")
	fs.StringVar(&c.usernameClaim, "username-claim", "sub", "claim used as the username: sub, email or name")
	fs.BoolVar(&c.startCluster, "start-cluster", true, "start the cluster manager state machine (gossip/heartbeat on --host)")
	fs.BoolVar(&c.accessLogs, "access-logs", true, "write the SDK access and audit logs to stderr")
	fs.BoolVar(&c.stdinEOFExit, "exit-on-stdin-eof", false, "also shut down when stdin reaches EOF (lets a parent that dies without signalling take the server down)")
	fs.StringVar(&c.logLevel, "log-level", "info", "logrus level for stderr logging")
	fs.DurationVar(&c.readyTimeout, "ready-timeout", 60*time.Second, "give up if not ready within this time")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if net.ParseIP(c.host) == nil {
		return nil, fmt.Errorf("--host must be an IP address, got %q", c.host)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.clusterID == "" {
		c.clusterID = "osd-" + randomHex(8)
	}
	if c.systemSecret == "" {
		c.systemSecret = c.jwtSecret
	}
	return c, nil
}

func serveMain(args []string) error {
	cfg, err := parseServeFlags(args)
	if err != nil {
		return err
	}
	logrus.SetOutput(os.Stderr)
	if lvl, err := logrus.ParseLevel(cfg.logLevel); err == nil {
		logrus.SetLevel(lvl)
	}

	// Shut down on SIGTERM/SIGINT and, with --exit-on-stdin-eof, when stdin
	// closes (a parent that dies without signalling must not leave this
	// behind). Both also abort a start-up still in progress.
	var (
		once   sync.Once
		reason string
		done   = make(chan struct{})
	)
	shutdown := func(r string) { once.Do(func() { reason = r; close(done) }) }
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() { shutdown("received " + (<-sigs).String()) }()
	if cfg.stdinEOFExit {
		go func() {
			io.Copy(io.Discard, os.Stdin)
			shutdown("stdin closed")
		}()
	}

	ctx, cancel := context.WithTimeout(context.Background(), cfg.readyTimeout)
	defer cancel()
	go func() {
		select {
		case <-done:
			cancel()
		case <-ctx.Done():
		}
	}()

	srv, err := start(ctx, cfg)
	if srv != nil {
		defer srv.stop()
	}
	if err != nil {
		select {
		case <-done:
			logrus.Infof("osdserver: %s during start-up, exiting", reason)
			return nil
		default:
			return err
		}
	}

	fmt.Printf("READY rest=%s grpc=%s legacy=%s cluster_id=%s cluster_name=%s auth=%t\n",
		srv.restAddr, srv.grpcAddr, srv.legacyAddr, cfg.clusterID, cfg.clusterName, cfg.jwtSecret != "")
	os.Stdout.Sync()

	<-done
	logrus.Infof("osdserver: %s, shutting down", reason)
	return nil
}

type running struct {
	restAddr, grpcAddr, legacyAddr string

	sdkServer    *sdk.Server
	legacyServer *http.Server
	socketDir    string
}

func (r *running) stop() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if r.legacyServer != nil {
			r.legacyServer.Close()
		}
		if r.sdkServer != nil {
			r.sdkServer.Stop()
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		logrus.Warn("osdserver: timed out stopping servers")
	}
	if r.socketDir != "" {
		os.RemoveAll(r.socketDir)
	}
}

func start(ctx context.Context, cfg *serveConfig) (*running, error) {
	r := &running{}
	hostPort := func(p int) string { return net.JoinHostPort(cfg.host, strconv.Itoa(p)) }

	// In-memory kvdb: every openstorage component reads kvdb.Instance().
	kv, err := kvdb.New(mem.Name, "osdserver/"+cfg.clusterID, nil, nil, kvdb.LogFatalErrorCB)
	if err != nil {
		return r, fmt.Errorf("kvdb: %w", err)
	}
	if err := kvdb.SetInstance(kv); err != nil {
		return r, fmt.Errorf("kvdb instance: %w", err)
	}

	// Authentication (same wiring as cmd/osd: shared-secret authenticator keyed
	// by issuer + a system token manager that signs cluster pair tokens).
	authenticators := map[string]auth.Authenticator{}
	if cfg.jwtSecret != "" {
		a, err := auth.NewJwtAuth(&auth.JwtAuthConfig{
			SharedSecret:  []byte(cfg.jwtSecret),
			UsernameClaim: auth.UsernameClaimType(cfg.usernameClaim),
		})
		if err != nil {
			return r, fmt.Errorf("jwt authenticator: %w", err)
		}
		authenticators[cfg.jwtIssuer] = a
		stm, err := systemtoken.NewManager(&systemtoken.Config{
			ClusterId:    cfg.clusterName,
			NodeId:       cfg.nodeID,
			SharedSecret: cfg.systemSecret,
		})
		if err != nil {
			return r, fmt.Errorf("system token manager: %w", err)
		}
		auth.InitSystemTokenManager(stm)
	}

	// Cluster manager.
	if err := clustermanager.Init(config.ClusterConfig{
		ClusterId:          cfg.clusterName,
		ClusterUuid:        cfg.clusterID,
		NodeId:             cfg.nodeID,
		MgmtIp:             cfg.host,
		DataIp:             cfg.host,
		SystemSharedSecret: cfg.systemSecret,
	}); err != nil {
		return r, fmt.Errorf("cluster manager init: %w", err)
	}
	cm, err := clustermanager.Inst()
	if err != nil {
		return r, fmt.Errorf("cluster manager: %w", err)
	}
	if cfg.startCluster {
		gossipPort := cfg.gossipPort
		if gossipPort == 0 {
			if gossipPort, err = freePort(cfg.host, true); err != nil {
				return r, err
			}
		}
		errc := make(chan error, 1)
		go func() {
			errc <- cm.StartWithConfiguration(false, strconv.Itoa(gossipPort), []string{}, "",
				&cluster.ClusterServerConfiguration{
					ConfigSchedManager:       schedpolicy.NewFakeScheduler(),
					ConfigObjectStoreManager: objectstore.NewfakeObjectstore(),
					ConfigSystemTokenManager: auth.SystemTokenManagerInst(),
				})
		}()
		select {
		case err := <-errc:
			if err != nil {
				return r, fmt.Errorf("cluster manager start: %w", err)
			}
		case <-ctx.Done():
			return r, fmt.Errorf("cluster manager start: %w", ctx.Err())
		}
	}

	// Legacy (pre-SDK) cluster REST API: the remote side of SDK ClusterPair
	// Create dials POST /v1/cluster/pair on this port.
	router := newLegacyClusterRouter()
	legacyLn, err := net.Listen("tcp", hostPort(cfg.legacyPort))
	if err != nil {
		return r, fmt.Errorf("legacy listen: %w", err)
	}
	r.legacyAddr = legacyLn.Addr().String()
	r.legacyServer = &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := r.legacyServer.Serve(legacyLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logrus.Errorf("legacy cluster api: %v", err)
		}
	}()

	// Volume driver, roles, storage policy, alerts.
	if err := volumedrivers.Register(volumeDriverName, map[string]string{}); err != nil {
		return r, fmt.Errorf("volume driver %s: %w", volumeDriverName, err)
	}
	rm, err := role.NewSdkRoleManager(kv)
	if err != nil {
		return r, fmt.Errorf("role manager: %w", err)
	}
	sp, err := policy.Init()
	if err != nil {
		return r, fmt.Errorf("storage policy: %w", err)
	}
	alertsManager, err := alerts.NewFilterDeleter()
	if err != nil {
		return r, fmt.Errorf("alerts: %w", err)
	}

	// The SDK's REST gateway listens on ":<RestPort>" (all interfaces, no port
	// 0 support), so a free port is chosen up front.
	restPort := cfg.restPort
	if restPort == 0 {
		if restPort, err = freePort(cfg.host, false); err != nil {
			return r, err
		}
	}
	// The SDK also serves gRPC on a unix socket that its REST gateway uses.
	dir, err := os.MkdirTemp("", "osdsrv")
	if err != nil || len(dir) > 80 {
		if dir != "" {
			os.RemoveAll(dir)
		}
		if dir, err = os.MkdirTemp("/tmp", "osdsrv"); err != nil {
			return r, fmt.Errorf("socket dir: %w", err)
		}
	}
	r.socketDir = dir

	var logOut io.Writer = io.Discard
	if cfg.accessLogs {
		logOut = os.Stderr
	}
	sdkServer, err := sdk.New(&sdk.ServerConfig{
		Net:                 "tcp",
		Address:             hostPort(cfg.grpcPort),
		RestPort:            strconv.Itoa(restPort),
		Socket:              filepath.Join(dir, "sdk.sock"),
		DriverName:          volumeDriverName,
		Cluster:             cm,
		AlertsFilterDeleter: alertsManager,
		StoragePolicy:       sp,
		AccessOutput:        logOut,
		AuditOutput:         logOut,
		Security: &sdk.SecurityConfig{
			Role:           rm,
			Authenticators: authenticators,
			Tls:            tlsConfig(cfg),
		},
	})
	if err != nil {
		return r, fmt.Errorf("sdk server: %w", err)
	}
	r.sdkServer = sdkServer
	if err := sdkServer.Start(); err != nil {
		return r, fmt.Errorf("sdk server start: %w", err)
	}
	r.grpcAddr = sdkServer.Address()
	r.restAddr = hostPort(restPort)

	// The gateway's ListenAndServe runs asynchronously: wait until it answers.
	if err := waitHTTP(ctx, restScheme(cfg)+"://"+r.restAddr+"/v1/identities/version"); err != nil {
		return r, fmt.Errorf("sdk rest gateway on %s: %w", r.restAddr, err)
	}
	if err := waitHTTP(ctx, "http://"+r.legacyAddr+"/cluster/versions"); err != nil {
		return r, fmt.Errorf("legacy cluster api on %s: %w", r.legacyAddr, err)
	}
	return r, nil
}

// tlsConfig is the SDK's TLS setting: its REST gateway then serves HTTPS
// with this certificate. The SDK has no setting for client certificates.
func tlsConfig(cfg *serveConfig) *sdk.TLSConfig {
	if cfg.tlsCert == "" {
		return nil
	}
	return &sdk.TLSConfig{CertFile: cfg.tlsCert, KeyFile: cfg.tlsKey}
}

func restScheme(cfg *serveConfig) string {
	if cfg.tlsCert != "" {
		return "https"
	}
	return "http"
}

// waitHTTP polls url until any HTTP response arrives. The readiness probe
// does not verify the certificate: it only waits for the listener, and
// clients (tests) verify it themselves.
func waitHTTP(ctx context.Context, url string) error {
	client := &http.Client{Timeout: 2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // readiness only
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%v (last error: %v)", ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// freePort asks the kernel for a free TCP port on host (and, with udp, checks
// the same UDP port is free too, as gossip needs both).
func freePort(host string, udp bool) (int, error) {
	for i := 0; i < 20; i++ {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return 0, fmt.Errorf("pick free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if udp {
			u, err := net.ListenPacket("udp", net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				l.Close()
				continue
			}
			u.Close()
		}
		l.Close()
		return port, nil
	}
	return 0, errors.New("pick free port: no free tcp+udp port found")
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
