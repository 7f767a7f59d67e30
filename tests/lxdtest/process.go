package lxdtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Timeouts for the daemon lifecycle. Generous, since CI machines are slow,
// but finite so a wedged daemon fails the test instead of hanging it.
const (
	readyTimeout = 60 * time.Second
	termTimeout  = 20 * time.Second // SIGTERM -> exit; then SIGKILL
	killTimeout  = 10 * time.Second // SIGKILL -> reaped
	logTailBytes = 8192
)

// deadProxy is an unused loopback port: LXD fetches an image index at start,
// and pointing the proxy here makes that fail instantly instead of timing out
// against a network the sandbox does not have.
const deadProxy = "http://127.0.0.1:9"

// launch creates a private state directory, starts the daemon in it and waits until its API
// is ready. Cleanup is registered before the process starts, so a failure at
// any later point still stops the daemon and removes the directory.
func launch(t testing.TB, kind *Kind, bin string) *Daemon {
	t.Helper()
	// Not t.TempDir(): its long path would push unix.socket past the
	// 108-byte sun_path limit.
	dir, err := os.MkdirTemp("/tmp", kind.Name[:3]+"t-")
	if err != nil {
		t.Fatalf("lxdtest: create %s: %v", kind.dirEnv, err)
	}
	d := &Daemon{
		Dir:    dir,
		Socket: filepath.Join(dir, "unix.socket"),
		Name:   fmt.Sprintf("member%d", memberSeq.Add(1)),
		Kind:   kind,
		t:      t,
		exited: make(chan struct{}),
	}
	t.Cleanup(d.cleanup)
	d.run(bin)
	return d
}

// run starts the daemon process on d.Dir, its log appended to daemon.log,
// and waits until its API is ready.
func (d *Daemon) run(bin string) {
	out, err := os.OpenFile(d.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		d.fatalf("open log: %v", err)
	}
	d.cmd = exec.Command(bin, daemonArgs()...) // Path doubles for waitready
	d.cmd.Env = d.env()
	d.cmd.Stdout, d.cmd.Stderr = out, out
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := d.cmd.Start(); err != nil {
		out.Close()
		d.cmd = nil
		d.fatalf("start %s: %v", bin, err)
	}
	exited := d.exited
	cmd := d.cmd
	go func() { _ = cmd.Wait(); out.Close(); close(exited) }()
	if err := d.waitReady(readyTimeout); err != nil {
		d.fatalf("%v", err)
	}
}

// daemonArgs are lxd's flags. The log goes to stdout/stderr, which launch
// sends to daemon.log, so early errors and panics land in the same file.
// Info level by default, so failures show the steps; LXDTEST_DEBUG=1 adds
// debug logging (every API request) for diagnosing a failing test.
func daemonArgs() []string {
	args := []string{"--group", "root", "--verbose"} // info level: lifecycle steps
	if os.Getenv("LXDTEST_DEBUG") == "1" {
		args = append(args, "--debug")
	}
	return args
}

// env is the daemon's environment: the caller's, plus its own state dir and
// proxies that keep it off the (absent) network but never loopback.
func (d *Daemon) env() []string {
	return append(os.Environ(),
		d.Kind.dirEnv+"="+d.Dir,
		"http_proxy="+deadProxy, "https_proxy="+deadProxy,
		"HTTP_PROXY="+deadProxy, "HTTPS_PROXY="+deadProxy,
		"no_proxy=127.0.0.1,localhost,::1", "NO_PROXY=127.0.0.1,localhost,::1",
	)
}

// logPath is where the daemon writes its log; failure messages quote it.
func (d *Daemon) logPath() string { return filepath.Join(d.Dir, "daemon.log") }

// waitReady runs `lxd waitready` (`incusd waitready`), but also watches the daemon itself so a
// crash fails at once rather than after the full timeout.
func (d *Daemon) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	secs := strconv.Itoa(int(timeout / time.Second))
	wr := exec.CommandContext(ctx, d.cmd.Path, "waitready", "--timeout", secs)
	wr.Env = d.env()
	// Own process group, killed whole on timeout, and a bounded wait for
	// its pipes: nothing it spawned can outlive it or hang the test.
	wr.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	wr.Cancel = func() error { return syscall.Kill(-wr.Process.Pid, syscall.SIGKILL) }
	wr.WaitDelay = time.Second
	res := make(chan error, 1)
	go func() { b, err := wr.CombinedOutput(); res <- wrapOut(err, b) }()
	select {
	case err := <-res:
		if err != nil {
			return fmt.Errorf("%s waitready: %w", d.Kind.Name, err)
		}
		return nil
	case <-d.exited:
		cancel()
		<-res // bounded: the group is killed and WaitDelay caps the wait
		return fmt.Errorf("daemon exited before becoming ready: %v", d.cmd.ProcessState)
	}
}

// wrapOut attaches a command's output to its error, if any.
func wrapOut(err error, out []byte) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
}

// cleanup stops the daemon and deletes its directory. It reports problems
// with Errorf rather than stopping early, so every step gets its chance.
func (d *Daemon) cleanup() {
	d.reportIfFailed()
	if d.client != nil {
		d.client.Disconnect()
	}
	d.stop()
	if n, err := unmountUnder(d.Dir); err != nil {
		d.t.Errorf("lxdtest %s: %v", d.Name, err)
	} else if n > 0 {
		d.t.Logf("lxdtest %s: unmounted %d leftover mount(s) under %s", d.Name, n, d.Dir)
	}
	if os.Getenv("LXDTEST_KEEP") == "1" { // keep logs and DB for a post-mortem
		d.t.Logf("lxdtest %s: LXDTEST_KEEP=1, leaving %s", d.Name, d.Dir)
		return
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		d.t.Errorf("lxdtest %s: remove %s: %v", d.Name, d.Dir, err)
	}
}

// reportIfFailed logs the daemon's log tail once if the test failed, since
// assertions in the test body do not include it.
func (d *Daemon) reportIfFailed() {
	if d.t.Failed() && !d.logShown {
		d.logShown = true
		d.t.Logf("lxdtest %s (%s) log tail:\n%s", d.Name, d.Dir, d.logTail())
	}
}

// stop sends SIGTERM so LXD can shut down cleanly (and unmount what it
// mounted), escalating to SIGKILL of its whole session if it hangs. One
// SIGTERM suffices even if the daemon is re-executing itself (it does after
// leaving a cluster): the new image either dies of it or queues it until
// its startup is done.
func (d *Daemon) stop() {
	if d.stopped || d.cmd == nil || d.cmd.Process == nil {
		return
	}
	d.stopped = true
	pid := d.cmd.Process.Pid
	// Process.Signal, unlike kill(2) on a bare pid, never hits a recycled
	// pid once the daemon has been reaped.
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	if !waitClosed(d.exited, termTimeout) {
		d.t.Logf("lxdtest %s: no exit %v after SIGTERM, sending SIGKILL", d.Name, termTimeout)
	}
	// setsid made the daemon a process-group leader: the group holds only
	// what it spawned, and killing it catches helpers it left behind.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	if !waitClosed(d.exited, killTimeout) {
		d.t.Errorf("lxdtest %s: pid %d still running after SIGKILL", d.Name, pid)
	}
}

// waitClosed waits at most timeout for ch to be closed.
func waitClosed(ch <-chan struct{}, timeout time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(timeout):
		return false
	}
}

// unmountUnder lazily unmounts everything mounted at or below dir, deepest
// first, and returns how many it unmounted. A killed daemon leaves tmpfs
// mounts (shmounts, devlxd) behind, and RemoveAll would otherwise fail or,
// worse, descend into them.
func unmountUnder(dir string) (int, error) {
	n := 0
	for round := 0; round < 5; round++ { // stacked mounts need several rounds
		mounts, err := mountsUnder(dir)
		if err != nil || len(mounts) == 0 {
			return n, err
		}
		for _, mp := range mounts {
			err := syscall.Unmount(mp, syscall.MNT_DETACH)
			if err != nil && err != syscall.EINVAL { // EINVAL: already gone
				return n, fmt.Errorf("umount -l %s: %w", mp, err)
			}
			n++
		}
	}
	if mounts, _ := mountsUnder(dir); len(mounts) > 0 {
		return n, fmt.Errorf("still mounted after 5 rounds: %v", mounts)
	}
	return n, nil
}

// mountsUnder lists mount points at or below dir, longest (deepest) first.
func mountsUnder(dir string) ([]string, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		mp := unescapeMount(f[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out, nil
}

// unescapeMount decodes the octal escapes (\040 for space, ...) that
// mountinfo uses for whitespace and backslashes in paths.
func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// logTail returns the end of the daemon's log, where LXD explains why it
// refused a request or died.
func (d *Daemon) logTail() string {
	return fmt.Sprintf("--- %s (tail) ---\n%s\n", d.logPath(), tailFile(d.logPath(), logTailBytes))
}

// tailFile returns up to n bytes from the end of path, or why it cannot.
func tailFile(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	off := max(st.Size()-n, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil {
		return fmt.Sprintf("(read error: %v)", err)
	}
	return strings.TrimSpace(string(buf))
}
