package benchkit

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestCPUTimeCountsThisProcess burns CPU and checks that CPUTime and the
// /proc/PID/stat reading grow by what getrusage(2) says this process used
// (microsecond resolution; stat's ticks are 10 ms, hence its wider slack).
func TestCPUTimeCountsThisProcess(t *testing.T) {
	pid := os.Getpid()
	d0, precise, err := CPUTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	s0, err := statCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	r0 := rusage(t)
	for start := time.Now(); time.Since(start) < 200*time.Millisecond; {
	}
	r1 := rusage(t)
	d1, _, err := CPUTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := statCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	used := r1 - r0
	t.Logf("getrusage +%v; CPUTime (precise=%v) +%v; /proc/PID/stat +%v", used, precise, d1-d0, s1-s0)
	if used < 20*time.Millisecond {
		t.Fatalf("the busy loop got only %v of CPU: the machine is too busy to check anything", used)
	}
	within := func(got, slack time.Duration) bool { return got >= used-slack && got <= used+slack }
	if !within(d1-d0, 10*time.Millisecond) {
		t.Errorf("CPUTime grew by %v; getrusage says %v", d1-d0, used)
	}
	if !within(s1-s0, 25*time.Millisecond) {
		t.Errorf("/proc/PID/stat grew by %v; getrusage says %v", s1-s0, used)
	}
}

func rusage(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
