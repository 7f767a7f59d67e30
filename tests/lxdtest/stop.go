package lxdtest

// Stop stops the daemon now (SIGTERM, then SIGKILL of its process group),
// for tests of what happens when an upstream goes away; cleanup still
// removes its directory.
func (d *Daemon) Stop() {
	d.t.Helper()
	d.stop()
}
