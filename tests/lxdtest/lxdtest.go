// Package lxdtest starts real, throw-away LXD 5.0 and Incus 6.0 daemons for
// integration tests.
//
// Each daemon runs as a child process with its own LXD_DIR (INCUS_DIR) under
// /tmp, its own loopback HTTPS port and clustering enabled, so tests exercise
// the genuine
// Incus-compatible REST API instead of a fake. Daemons are stopped and their
// directories removed in t.Cleanup, also when the test fails.
//
// The lxd binary comes from Debian's lxd package (tests/scripts/install-lxd.sh),
// incusd from bookworm-backports' incus-base (tests/scripts/install-incus.sh).
// Daemons must run as root.
package lxdtest

import (
	"context"
	"fmt"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	incus "github.com/lxc/incus/v6/client"
)

// memberSeq makes member names unique within the test binary, so daemons of
// different tests (and members of one cluster) never collide.
var memberSeq atomic.Int64

// Daemon is one running LXD or Incus daemon owned by a test.
type Daemon struct {
	// Dir is the daemon's LXD_DIR; it holds the database, certificates,
	// daemon.log and the unix socket.
	Dir string
	// Socket is the path of the daemon's unix socket (Dir/unix.socket).
	Socket string
	// Addr is the loopback HTTPS address ("127.0.0.1:PORT") the daemon serves
	// the REST API and cluster traffic on.
	Addr string
	// Name is the daemon's cluster member name.
	Name string
	// Kind is which daemon this is (LXD or Incus).
	Kind *Kind

	t        testing.TB
	cmd      *exec.Cmd
	exited   chan struct{} // closed once the lxd process has been reaped
	client   incus.InstanceServer
	stopped  bool
	logShown bool // a failure message already carried the log tail
}

// Available reports why LXD daemons cannot be started here, or nil if they
// can. Tests can use it to decide early without starting anything.
func Available() error { return LXD.Available() }

// Start launches a fresh LXD daemon (see Kind.Start). Clustering is on from
// the start because that is how the code under test meets LXD in production.
// The daemon is stopped and its directory removed at cleanup.
func Start(t testing.TB) *Daemon {
	t.Helper()
	return LXD.Start(t)
}

// StartStandalone is Start without clustering, for tests that enable it
// themselves (for instance through the code under test); pass Name as the
// server_name then. HTTPS on Addr is already set up, because LXD needs a
// network address to bootstrap a cluster.
func StartStandalone(t testing.TB) *Daemon {
	t.Helper()
	return LXD.StartStandalone(t)
}

// Join launches another daemon of leader's kind and joins it to leader's cluster (call it
// repeatedly for more members). At cleanup, which runs before leader's, it
// first leaves the cluster gracefully, so leader stays a healthy cluster
// with quorum and shuts down quickly.
//
// Existing pools and networks whose member-specific keys (source, parent,
// ...) cannot be left empty must be created after Join; dir pools are fine.
func Join(t testing.TB, leader *Daemon) *Daemon {
	t.Helper()
	d := launch(t, leader.Kind, leader.Kind.require(t))
	d.setHTTPSAddress()
	d.joinCluster(leader)
	t.Cleanup(func() {
		// Report first: leaving restarts d and buries the interesting part.
		d.reportIfFailed()
		leader.reportIfFailed()
		d.leaveCluster(leader)
	})
	return d
}

// Client returns an Incus API client connected over the daemon's unix socket.
// The same client is returned on every call and closed at cleanup. Call it
// from the test goroutine: it fails the test if the daemon is unreachable.
func (d *Daemon) Client() incus.InstanceServer {
	d.t.Helper()
	if d.client == nil {
		c, err := incus.ConnectIncusUnix(d.Socket, nil)
		if err != nil {
			d.fatalf("connect to %s: %v", d.Socket, err)
		}
		d.client = c
	}
	return d.client
}

// opClient returns a fresh client whose every request, and operation waits,
// are bounded by timeout. It polls operations instead of using the events
// websocket, which is one fewer moving part while the daemon reconfigures.
func (d *Daemon) opClient(timeout time.Duration) (incus.InstanceServer, context.CancelFunc) {
	d.t.Helper()
	c, done, err := d.dial(timeout)
	if err != nil {
		d.fatalf("connect to %s: %v", d.Socket, err)
	}
	return c, done
}

// dial is opClient without failing the test, for use during cleanup where
// the remaining cleanup steps must still run.
func (d *Daemon) dial(timeout time.Duration) (incus.InstanceServer, context.CancelFunc, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	args := &incus.ConnectionArgs{SkipGetEvents: true}
	c, err := incus.ConnectIncusUnixWithContext(ctx, d.Socket, args)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return c, func() { c.Disconnect(); cancel() }, nil
}

// fatalf fails the test with the daemon's log tail appended, because LXD
// usually explains the real cause of a failed request only in its log.
func (d *Daemon) fatalf(format string, args ...any) {
	d.t.Helper()
	msg := fmt.Sprintf(format, args...)
	d.logShown = true
	d.t.Fatalf("lxdtest %s (%s): %s\n%s", d.Name, d.Dir, msg, d.logTail())
}
