package bench

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// raceSection reports what the race detector said about the REST
// benchmarks (the script runs them under go test -race and passes the
// output in CLUSTERGATE_BENCH_RACE). A data race is reported whether or not
// it made a request fail during this run, so this is the deterministic
// check behind the failed-request counts.
func raceSection(t *testing.T, r *Report) {
	path := os.Getenv("CLUSTERGATE_BENCH_RACE")
	sec := r.add(&Section{Title: "Concurrency safety (race detector)",
		Intro: "The REST benchmarks (`BenchmarkRESTGet`, `BenchmarkRESTPut`: GET members-recursion-1 and PUT member at concurrency 8 " +
			"against the fast upstream — direct, reverse proxy and clustergate arms) run once more under `go test -race`. The race " +
			"detector reports unsynchronised accesses whether or not they made a request fail in this run; each distinct pair of " +
			"accesses is reported once."})
	if path == "" {
		sec.Notes = append(sec.Notes, "Not run: `make bench` (tests/scripts/bench.sh) runs it and passes the output in `CLUSTERGATE_BENCH_RACE`.")
		return
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := string(raw)
	races := strings.Count(out, "WARNING: DATA RACE")
	failed := regexp.MustCompile(`(?m)^\s+bench_test\.go:\d+: (\d+) of (\d+) requests failed`).FindAllStringSubmatch(out, -1)
	var nFailed, nSent int
	for _, m := range failed {
		var a, b int
		fmt.Sscan(m[1], &a)
		fmt.Sscan(m[2], &b)
		nFailed, nSent = nFailed+a, nSent+b
	}
	ran := strings.Contains(out, "Benchmark")
	if !ran {
		sec.Notes = append(sec.Notes, fmt.Sprintf("The race run did not run the benchmarks; its output ends:\n\n```\n%s\n```", tail(out, 1500)))
		t.Errorf("race run did not run")
		return
	}
	failedCell := "0"
	if nFailed > 0 {
		failedCell = fmt.Sprintf("%d of %d", nFailed, nSent)
	}
	sec.Tables = append(sec.Tables, &Table{Head: []string{"value"}, Rows: []Row{
		{Label: "data races reported (clustergate's arms; direct and proxy arms report none)", Values: []string{fmt.Sprint(races)},
			Ratio: nan(), Target: "0", Met: met(races == 0), Why: "errors", Sum: fmt.Sprintf("%d race reports", races)},
		{Label: "failed requests during the race run", Values: []string{failedCell}, Ratio: nan()},
	}})
	if races > 0 {
		i := strings.Index(out, "WARNING: DATA RACE")
		sec.Notes = append(sec.Notes, "The first report, trimmed:\n\n```\n"+trimRace(out[i:])+"\n```")
	}
}

// trimRace keeps a race report's headline and the first frames of each
// side, without the module cache's paths.
func trimRace(s string) string {
	if end := strings.Index(s, "\n==================\n"); end > 0 {
		s = s[:end]
	}
	var keep []string
	frames := 0
	for _, l := range strings.Split(s, "\n") {
		switch {
		case l == "":
			frames = 0
			keep = append(keep, l)
		case !strings.HasPrefix(l, " "):
			frames = 0
			keep = append(keep, l)
		case strings.HasPrefix(l, "      "): // file:line of the frame above
			if frames <= 4 {
				keep = append(keep, regexp.MustCompile(`/\S*/pkg/mod/`).ReplaceAllString(l, ""))
			}
		default:
			frames++
			if frames <= 4 {
				keep = append(keep, l)
			}
		}
		if len(keep) > 40 {
			break
		}
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
