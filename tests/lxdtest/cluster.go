package lxdtest

import (
	"fmt"
	"net"
	"time"

	"github.com/lxc/incus/v6/shared/api"
)

// Bounds for cluster operations. Bootstrapping or joining starts dqlite and
// swaps certificates, which takes seconds; a minute means it is stuck.
const (
	clusterOpTimeout = 90 * time.Second
	restartTimeout   = 30 * time.Second // re-exec after leaving a cluster
	addrAttempts     = 3
)

// setHTTPSAddress makes the daemon listen on a free loopback port. Clustering
// needs a network address, and loopback keeps tests off real interfaces.
// The port is picked by the kernel and released before LXD binds it, so
// another process may grab it in between; a few retries make that harmless.
func (d *Daemon) setHTTPSAddress() {
	d.t.Helper()
	c, done := d.opClient(clusterOpTimeout)
	defer done()
	var lastErr error
	for i := 0; i < addrAttempts; i++ {
		addr, err := freeLoopbackAddr()
		if err != nil {
			d.fatalf("pick a free port: %v", err)
		}
		srv, etag, err := c.GetServer()
		if err != nil {
			d.fatalf("get server config: %v", err)
		}
		put := srv.Writable()
		if put.Config == nil {
			put.Config = api.ConfigMap{}
		}
		put.Config["core.https_address"] = addr
		if lastErr = c.UpdateServer(put, etag); lastErr == nil {
			d.Addr = addr
			return
		}
	}
	d.fatalf("set core.https_address (%d attempts): %v", addrAttempts, lastErr)
}

// freeLoopbackAddr asks the kernel for an unused port on 127.0.0.1.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// enableClustering bootstraps a one-member cluster. The request returns an
// operation; the daemon is only clustered once that operation succeeded.
func (d *Daemon) enableClustering() {
	d.t.Helper()
	c, done := d.opClient(clusterOpTimeout)
	defer done()
	op, err := c.UpdateCluster(api.ClusterPut{
		Cluster: api.Cluster{ServerName: d.Name, Enabled: true},
	}, "")
	if err == nil {
		err = op.Wait() // bounded by the client's context
	}
	if err != nil {
		d.fatalf("enable clustering: %v", err)
	}
}

// joinCluster makes d a member of leader's cluster: the leader issues a join
// token for d's name, then d is told to join using it.
func (d *Daemon) joinCluster(leader *Daemon) {
	d.t.Helper()
	token, memberConfig, cert := leader.joinMaterial(d.Name)
	c, done := d.opClient(clusterOpTimeout)
	defer done()
	req := joinRequest{ClusterPut: api.ClusterPut{
		Cluster: api.Cluster{
			ServerName: d.Name,
			Enabled:    true,
			// Member-specific keys of existing pools and networks, passed
			// back with the empty values the leader lists them with. That
			// suits dir pools (source defaults into d's own LXD_DIR).
			MemberConfig: memberConfig,
		},
		ClusterAddress:     leader.Addr,
		ClusterCertificate: cert, // mandatory; LXD checks it against the token
		ServerAddress:      d.Addr,
		ClusterToken:       token,
	}, ClusterPassword: token}
	// RawOperation, not UpdateCluster: the typed Incus struct cannot carry
	// the cluster_password field that LXD reads the token from.
	op, _, err := c.RawOperation("PUT", "/cluster", req, "")
	if err == nil {
		err = op.Wait()
	}
	if err != nil {
		leader.logShown = true // it is included right here
		d.fatalf("join cluster of %s at %s: %v\nleader log:\n%s", leader.Name, leader.Addr, err, leader.logTail())
	}
}

// joinRequest is the join body understood by both LXD and Incus. LXD 5.0
// reads the join token from "cluster_password" (Incus renamed the field to
// "cluster_token"); given only cluster_token, LXD skips adding the joiner's
// certificate and the join fails with "Failed to update cluster trust:
// ... not authorized". Each daemon ignores the field it does not know.
type joinRequest struct {
	api.ClusterPut
	ClusterPassword string `json:"cluster_password"`
}

// joinMaterial collects, from the leader, what a new member needs to join:
// a join token for name, the member-specific config keys and the cluster
// certificate.
func (d *Daemon) joinMaterial(name string) (token string, cfg []api.ClusterMemberConfigKey, cert string) {
	d.t.Helper()
	c, done := d.opClient(clusterOpTimeout)
	defer done()
	op, err := c.CreateClusterMember(api.ClusterMembersPost{ServerName: name})
	if err != nil {
		d.fatalf("request join token for %s: %v", name, err)
	}
	token, err = joinToken(op.Get())
	if err != nil {
		d.fatalf("join token for %s: %v", name, err)
	}
	cluster, _, err := c.GetCluster()
	if err != nil {
		d.fatalf("get cluster: %v", err)
	}
	srv, _, err := c.GetServer()
	if err != nil {
		d.fatalf("get server: %v", err)
	}
	return token, cluster.MemberConfig, srv.Environment.Certificate
}

// joinToken encodes the token from the token operation's metadata, like
// `lxc cluster add` prints it. Unlike api.Operation.ToClusterJoinToken it
// tolerates a missing expiresAt (daemons without cluster_join_token_expiry);
// the leader checks the secret and expiry against its own records anyway.
func joinToken(op api.Operation) (string, error) {
	str := func(k string) string { s, _ := op.Metadata[k].(string); return s }
	tok := api.ClusterMemberJoinToken{
		ServerName:  str("serverName"),
		Secret:      str("secret"),
		Fingerprint: str("fingerprint"),
	}
	addrs, _ := op.Metadata["addresses"].([]any)
	for _, a := range addrs {
		if s, ok := a.(string); ok {
			tok.Addresses = append(tok.Addresses, s)
		}
	}
	if exp, err := time.Parse(time.RFC3339Nano, str("expiresAt")); err == nil {
		tok.ExpiresAt = exp
	}
	if tok.Secret == "" || tok.Fingerprint == "" || len(tok.Addresses) == 0 {
		return "", fmt.Errorf("incomplete token metadata: %v", op.Metadata)
	}
	return tok.String(), nil
}

// leaveCluster removes d from leader's cluster before d is stopped. Without
// it the leader would keep a dead member (and possibly lose quorum), making
// its own shutdown slow and leaving a broken cluster for later cleanups.
func (d *Daemon) leaveCluster(leader *Daemon) {
	if leader.stopped || d.stopped {
		return
	}
	restarted, stopWatch := d.watchRestart()
	defer stopWatch()
	c, done, err := leader.dial(clusterOpTimeout)
	if err == nil {
		defer done()
		err = c.DeleteClusterMember(d.Name, false)
	}
	if err != nil {
		d.t.Logf("lxdtest: %s leaving cluster of %s: %v (stopping it anyway)", d.Name, leader.Name, err)
		return
	}
	d.awaitRestart(restarted)
}

// watchRestart returns a channel closed when d's current process image goes
// away. LXD re-executes itself (same pid) after leaving a cluster; exec
// closes all its connections, so an open events stream ending is a reliable
// signal, unlike the pid or the socket file, which both survive.
func (d *Daemon) watchRestart() (<-chan struct{}, func()) {
	gone := make(chan struct{})
	c, done, err := d.dial(clusterOpTimeout + restartTimeout) // outlives the DELETE
	if err != nil {
		close(gone) // cannot watch: behave as if it restarted already
		return gone, func() {}
	}
	l, err := c.GetEvents()
	if err != nil {
		done()
		close(gone)
		return gone, func() {}
	}
	go func() { _ = l.Wait(); close(gone) }()
	return gone, func() { l.Disconnect(); done() }
}

// awaitRestart waits until d has re-executed itself and is ready again, so
// that stopping it does not interrupt its startup, which would orphan the
// helper processes it spawns and leave its mounts behind.
func (d *Daemon) awaitRestart(restarted <-chan struct{}) {
	select {
	case <-restarted:
	case <-d.exited:
		return
	case <-time.After(restartTimeout):
		d.t.Logf("lxdtest %s: no restart within %v after leaving the cluster", d.Name, restartTimeout)
		return
	}
	if err := d.waitReady(restartTimeout); err != nil {
		d.t.Logf("lxdtest %s: after leaving the cluster: %v", d.Name, err)
	}
}
