package benchkit

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// countingTransport sends the API key and counts the HTTP requests an MCP
// client makes, to prove every measured call went over the wire.
type countingTransport struct {
	base http.RoundTripper
	key  string
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if c.key != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+c.key)
	}
	return c.base.RoundTrip(r)
}

// MCPSession connects a Go SDK client to an MCP endpoint over streamable
// HTTP; the counter returns how many HTTP requests it has sent so far.
func MCPSession(ctx context.Context, url, key string) (*sdk.ClientSession, func() int64, error) {
	ct := &countingTransport{base: TCPClient().Transport, key: key}
	c := sdk.NewClient(&sdk.Implementation{Name: "clustergate-bench", Version: "1"}, nil)
	s, err := c.Connect(ctx, &sdk.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: ct}}, nil)
	return s, ct.n.Load, err
}

// ToolError is a tool result's failure as an error.
func ToolError(res *sdk.CallToolResult) error {
	if !res.IsError {
		return nil
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return fmt.Errorf("tool error: %.300s", b.String())
}

// VmRSS reads a process's resident set size from /proc/PID/status, in bytes.
func VmRSS(pid int) (int64, error) { return ProcStatus(pid, "VmRSS:") }

// ProcStatus reads a size field ("VmRSS:", "RssAnon:", …) of
// /proc/PID/status, in bytes.
func ProcStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// MB formats bytes as mebibytes.
func MB(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// Scrape reads gauges from a Prometheus text endpoint.
func Scrape(ctx context.Context, url string, names ...string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || !want[name] {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = v
		}
	}
	if len(out) != len(want) {
		return out, fmt.Errorf("scrape %s: got %v, want %v", url, out, names)
	}
	return out, sc.Err()
}

// LoadAvg returns /proc/loadavg's first three fields.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// CPUTime is a process's CPU time so far (user and system, every thread).
// It sums the first field of /proc/PID/task/*/schedstat (nanoseconds on a
// CPU) when the kernel has them, and says so with precise; otherwise it is
// utime+stime from /proc/PID/stat, which counts 10 ms ticks (USER_HZ 100),
// too coarse for a few thousand requests of tens of microseconds.
func CPUTime(pid int) (d time.Duration, precise bool, err error) {
	if d, err := schedCPU(pid); err == nil {
		return d, true, nil
	}
	d, err = statCPU(pid)
	return d, false, err
}

func schedCPU(pid int) (time.Duration, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, err
	}
	var sum int64
	for _, t := range tasks {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			if os.IsNotExist(err) {
				continue // the thread ended between the listing and the read
			}
			return 0, err
		}
		f := strings.Fields(string(raw))
		if len(f) == 0 {
			return 0, fmt.Errorf("/proc/%d/task/%s/schedstat: empty", pid, t.Name())
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, err
		}
		sum += ns
	}
	return time.Duration(sum), nil
}

func statCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from after its ')'.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
