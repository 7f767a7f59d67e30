package lxdtest

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Kind is a daemon the harness can start: LXD 5.0 (Debian's lxd) or Incus
// 6.0 (Debian bookworm-backports' incus-base). Both speak the same REST API
// and are what operators run, so suites run against each.
type Kind struct {
	// Name is how test names and messages call the daemon ("lxd", "incus").
	Name string
	// dirEnv is the environment variable naming the daemon's state directory.
	dirEnv string
	// lookPath is the binary name looked up in PATH first (empty: none),
	// then paths are tried.
	lookPath string
	paths    []string
	// install is the one command that installs the binary.
	install string
}

// LXD is Debian's lxd 5.0 package.
var LXD = &Kind{Name: "lxd", dirEnv: "LXD_DIR", lookPath: "lxd",
	paths: []string{"/usr/bin/lxd", "/usr/sbin/lxd"}, install: "tests/scripts/install-lxd.sh"}

// Incus is incusd 6.0 from bookworm-backports. Its daemon binary is not on
// PATH (PATH holds the incus client), so only its packaged path is used.
var Incus = &Kind{Name: "incus", dirEnv: "INCUS_DIR",
	paths: []string{"/usr/libexec/incus/incusd"}, install: "tests/scripts/install-incus.sh"}

// Kinds are every daemon kind, for suites that run against each.
var Kinds = []*Kind{LXD, Incus}

// String is the kind's name, so a kind prints as a subtest name.
func (k *Kind) String() string { return k.Name }

// Available reports why daemons of this kind cannot be started here, or
// nil if they can.
func (k *Kind) Available() error {
	if _, err := k.binary(); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("lxdtest: %s daemons must run as root", k.Name)
	}
	return nil
}

// binary returns the path of the daemon binary.
func (k *Kind) binary() (string, error) {
	if k.lookPath != "" {
		if p, err := exec.LookPath(k.lookPath); err == nil {
			return p, nil
		}
	}
	for _, p := range k.paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	where := k.paths
	if k.lookPath != "" {
		where = append([]string{"PATH"}, where...)
	}
	return "", fmt.Errorf("lxdtest: %s daemon binary not found in %v; run %s (as root) to install it", k.Name, where, k.install)
}

// require returns the daemon binary, or skips the test when the kind is
// unusable, except in CI where a silent skip would hide a broken pipeline,
// so it fails instead.
func (k *Kind) require(t testing.TB) string {
	t.Helper()
	if err := k.Available(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true, so failing instead of skipping)", err)
			return "" // unreachable with a real testing.TB
		}
		t.Skip(err)
	}
	bin, _ := k.binary()
	return bin
}

// Start launches a fresh daemon of this kind with HTTPS on loopback (Addr)
// and clustering enabled as a one-member cluster named after Name.
func (k *Kind) Start(t testing.TB) *Daemon {
	t.Helper()
	d := launch(t, k, k.require(t))
	d.setHTTPSAddress()
	d.enableClustering()
	return d
}

// StartStandalone is Start without clustering; HTTPS on Addr is set up.
func (k *Kind) StartStandalone(t testing.TB) *Daemon {
	t.Helper()
	d := launch(t, k, k.require(t))
	d.setHTTPSAddress()
	return d
}
