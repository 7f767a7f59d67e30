// Package mcpclients proves clustergate's MCP layer with the clients people
// use, over every transport and mode (streamable HTTP with and without
// sessions, stdio), against the sandbox and a real LXD: the MCP Inspector CLI
// and the TypeScript SDK, pinned in package-lock.json and installed once
// outside the repo (see npm_test.go), and two Go clients, the official SDK
// and github.com/mark3labs/mcp-go (gomatrix_test.go).
//
// mcp-go is a dependency of this test package only. It is required by the
// main module rather than by a nested test module: a nested module would
// need a replace of the main module and a second go.sum covering its whole
// graph (Kubernetes included), kept in step by hand, and an extra `go test`
// line in make test and CI, while here it adds one direct and one indirect
// require and never reaches the binary (TestMCPGoStaysOutOfTheBinary).
package mcpclients

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/clustergate/clustergate/tests/cgtest"
	"github.com/clustergate/clustergate/tests/lxdtest"
)

const (
	adminKey   = "mcpclients-admin-key"
	runTimeout = 90 * time.Second // one client run: connect, one method, exit
	waitDelay  = 5 * time.Second  // for pipes held open by a killed child
)

// stack is a real LXD with clustergate (REST and MCP over HTTP) in front.
type stack struct {
	lxd  *lxdtest.Daemon
	gate *cgtest.Gate
}

// startStack starts LXD and clustergate with one admin key. Call clients
// first, so a test without npm skips before anything starts.
func startStack(t *testing.T) stack {
	t.Helper()
	d := lxdtest.Start(t)
	g := cgtest.Start(t, map[string]string{"INCUS_SOCKET": d.Socket, "CLUSTERGATE_API_KEYS": "admin=" + adminKey})
	return stack{lxd: d, gate: g}
}

// clientEnv is the whole environment of a client run: a private HOME, so
// the Inspector's catalog, OAuth store and client config never touch the
// user's, no browser, and no proxy for loopback.
func clientEnv(t *testing.T) []string {
	t.Helper()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"BROWSER=none",
		"NO_COLOR=1",
		"NO_PROXY=127.0.0.1,localhost",
		"no_proxy=127.0.0.1,localhost",
	}
}

// result is what a finished process left behind.
type result struct {
	code           int
	stdout, stderr string
	err            error // the process could not start or was killed
}

// run runs one process to completion in its own process group. When ctx
// ends the whole group is killed, and after it exits the group is killed
// again, so children it spawned (the stdio server) never outlive it.
func run(ctx context.Context, dir string, env []string, name string, args ...string) result {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Start()
	if err == nil {
		err = cmd.Wait()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH when the group is already gone
	}
	res := result{code: -1, stdout: out.String(), stderr: errOut.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
		res.code = 0
	case errors.As(err, &exit) && exit.Exited():
		res.code = exit.ExitCode()
	default:
		res.err = err
	}
	if ctx.Err() != nil {
		res.err = ctx.Err()
	}
	return res
}

// node runs a Node.js program once, bounded by runTimeout, and fails the
// test if it could not run to an exit of its own.
func node(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	start := time.Now()
	res := run(ctx, dir, env, "node", args...)
	t.Logf("node %s: exit %d in %s", filepath.Base(args[0]), res.code, time.Since(start).Round(time.Millisecond))
	if res.err != nil {
		t.Fatalf("node %v: %v\nstdout:\n%s\nstderr:\n%s", args, res.err, res.stdout, res.stderr)
	}
	return res
}
