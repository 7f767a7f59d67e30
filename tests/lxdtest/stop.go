package lxdtest

// Stop stops the daemon now (SIGTERM, then SIGKILL of its process group),
// for tests of what happens when an upstream goes away; cleanup still
// removes its directory.
func (d *Daemon) Stop() {
	d.t.Helper()
	d.stop()
}

// Restart starts a daemon that Stop stopped again, on the same state
// directory (socket, database, certificates, cluster membership), for tests
// of an upstream that comes back.
func (d *Daemon) Restart() {
	d.t.Helper()
	if !d.stopped || d.cmd == nil {
		d.fatalf("restart: %s was not stopped", d.Name)
	}
	if d.client != nil { // its connection died with the old process
		d.client.Disconnect()
		d.client = nil
	}
	d.stopped, d.exited = false, make(chan struct{})
	d.run(d.cmd.Path)
}
