#!/usr/bin/env bash
# bench.sh is the body of `make bench`: it waits (bounded) for a quiet
# machine, profiles clustergate's hot paths, then runs the benchmark suite in
# tests/bench (REST and MCP overhead against baselines measured side by
# side: httputil.ReverseProxy, and nginx (tests/scripts/install-nginx.sh)
# in front of the fast upstream and of a real Incus 6.0 with CPU per
# request; start-up, resident memory, codegen, a 60 s soak from a second
# process) and writes docs/BENCHMARKS.md. Everything runs on loopback; every
# loop is bounded. It takes 6 to 10 minutes, waiting included.
#
# Knobs (environment):
#   BENCH_OUT=docs/BENCHMARKS.md   where the report goes
#   BENCH_MAX_LOAD=1.5             1-minute load average to wait for
#   BENCH_WAIT_SECS=180            longest wait for it; then measure anyway
#   BENCH_QUICK=1                  small counts and a 15 s soak (trying it out)
#   BENCH_SOAK=60s BENCH_SOAK_RATE=300   soak length and rate (requests/s)
#   BENCH_COMMAND="make bench"     how the report names the command that made it
set -euo pipefail

cd "$(dirname "$0")/../.."
root="$PWD"
out="${BENCH_OUT:-docs/BENCHMARKS.md}"
[[ "$out" = /* ]] || out="$root/$out"
max_load="${BENCH_MAX_LOAD:-1.5}"
wait_secs="${BENCH_WAIT_SECS:-180}"
go="${GO:-go}"

log() { printf 'bench: %s\n' "$*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

work="$(mktemp -d /tmp/cgbench-XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

# 1. A quiet machine, within bounds: the figures are ratios measured side by
# side, but a busy machine still widens their spread.
first="$(load1)"
start=$SECONDS
while ! below "$(load1)" "$max_load" && (( SECONDS - start < wait_secs )); do
	log "1-minute load $(load1) >= $max_load; waiting ($(( SECONDS - start ))s of at most ${wait_secs}s)"
	sleep 10
done
waited=$(( SECONDS - start ))
now="$(load1)"
if below "$now" "$max_load"; then
	wait_note="waited ${waited} s for the 1-minute load to drop under ${max_load} (it was ${first}; ${now} when measuring began)"
else
	wait_note="the 1-minute load did not drop under ${max_load} within ${waited} s (${first} → ${now}): **measured anyway on a busy machine**"
fi
log "$wait_note"

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain 2>/dev/null | head -1)" ]]; then
	commit="$commit (working tree with uncommitted changes)"
fi

# 2. Profiles, taken with the same benchmarks `go test -bench` runs; the
# report quotes them as the evidence for what misses its target.
prof="$work/profile.md"
bench_bin="$work/bench.test"
log "profiling (go test -bench ... -cpuprofile)"
"$go" test -c -o "$bench_bin" ./tests/bench/
runbench() { # name benchtime extra-args...
	local name="$1" n="$2"; shift 2
	(cd tests/bench && "$bench_bin" -test.run '^$' -test.bench "$name" -test.benchtime "$n" -test.benchmem "$@") 2>&1 |
		grep -E '^(Benchmark|--- FAIL|    )' | head -20 || true
}
top() { # profile sample-index count [focus...]
	"$go" tool pprof -sample_index="$2" -top -nodecount="$3" "$bench_bin" "$1" 2>/dev/null | sed -n '/flat%/,$p'
}
# servecum quotes the frames that split a served request's CPU between
# net/http's server side, the handler chain, the upstream call, the
# collector and the scheduler (cumulative, so they overlap by design).
servecum() { # profile
	"$go" tool pprof -top -nodecount=1 "$1" 2>/dev/null | grep -E '^(Duration|Showing nodes)' | head -1
	"$go" tool pprof -top -cum -nodecount=800 "$1" 2>/dev/null | sed -n '/flat%/,$p' | grep -E 'flat%|'\
' (net/http\.\(\*conn\)\.serve|github\.com/labstack/echo/v4\.\(\*Echo\)\.ServeHTTP|net/http\.\(\*conn\)\.readRequest|'\
'net/http\.\(\*response\)\.finishRequest|github\.com/oapi-codegen/echo-middleware\.ValidateRequestFromContext|'\
'log/slog\.\(\*Logger\)\.LogAttrs|github\.com/clustergate/clustergate/adapters/incus\.\(\*Adapter\)\.GetMember|'\
'github\.com/clustergate/clustergate/adapters/incus\.\(\*socketTransport\)\.RoundTrip|encoding/json\.\(\*Decoder\)\.Decode|'\
'runtime\.mallocgc|runtime\.gcBgMarkWorker|runtime\.schedule|internal/runtime/syscall/linux\.Syscall6)$' | cut -c1-150
}
cumtop() { # profile count : cumulative view without runtime/testing frames
	"$go" tool pprof -top -cum -nodecount=400 "$bench_bin" "$1" 2>/dev/null | sed -n '/flat%/,$p' |
		grep -vE ' (runtime|testing|internal/runtime|syscall)\.' | head -"$2"
}
{
	echo "Taken in this run from \`tests/bench\` benchmarks with \`go test -bench ... -cpuprofile/-memprofile\`; \`go tool pprof -top\` output, trimmed. In-process profiles include the fast upstream's and the client's side of each request."
	echo
	echo "### REST: clustergate's handler chain, one request at a time (BenchmarkHandler)"
	echo
	echo '```'
	runbench '^BenchmarkHandler$' 4000x -test.cpuprofile "$work/handler.cpu"
	echo
	echo "# cumulative (runtime and testing frames left out): each middleware's own cost is its cum minus the next one's"
	cumtop "$work/handler.cpu" 45
	echo '```'
	echo
	echo "### REST: \`clustergate serve\` as its own process, GET member against the fast upstream (TestServeProfile, through --pprof-addr)"
	echo
	echo "The handler chain above is part of a served request; this is the whole process: net/http's server side (reading the request, writing the answer), the scheduler and the collector around it. Cumulative percentages of the process's CPU while closed-loop clients sent GET member; frames overlap (a callee's share is inside its caller's)."
	echo
	echo '```'
	mkdir -p "$work/serve"
	if (cd tests/bench && CLUSTERGATE_BENCH_SERVE_PROFILE="$work/serve" "$bench_bin" -test.run '^TestServeProfile$' -test.v 2>&1 | grep -E 'c=[0-9]+:|--- FAIL'); then
		for c in 1 8; do
			echo
			echo "# concurrency $c"
			servecum "$work/serve/serve-c$c.cpu"
		done
	fi
	echo '```'
	echo
	echo "### MCP: tools/call, one at a time (BenchmarkMCPToolsCall/tools-call): bytes allocated"
	echo
	echo '```'
	runbench '^BenchmarkMCPToolsCall$' 2000x -test.memprofile "$work/mcp.mem" -test.memprofilerate 4096
	echo
	top "$work/mcp.mem" alloc_space 12
	echo '```'
	echo
	echo "### Start-up: package initialisation (GODEBUG=inittrace=1, the built binary's \`version\`), slowest packages"
	echo
	echo '```'
	CGO_ENABLED=0 "$go" build -trimpath -ldflags '-s -w' -o "$work/clustergate" ./cmd/clustergate
	"$work/clustergate" version >/dev/null # warm the page cache
	GODEBUG=inittrace=1 "$work/clustergate" version 2>"$work/init.txt" >/dev/null || true
	awk '/^init /{ms+=$5; b+=$8; n++} END {printf "total: %d packages, %.1f ms, %.1f MB allocated\n", n, ms, b/1048576}' "$work/init.txt"
	awk '/^init /{print $5, $2, $8}' "$work/init.txt" | sort -rn | head -8 |
		awk '{printf "%6.2f ms  %-58s %8.0f KB\n", $1, $2, $3/1024}'
	echo '```'
	echo
	echo "### Start-up: building the stack after initialisation (BenchmarkStackBuild: app.Build + serve's MCP handler)"
	echo
	echo '```'
	runbench '^BenchmarkStackBuild$' 20x -test.cpuprofile "$work/build.cpu"
	echo
	cumtop "$work/build.cpu" 30
	echo '```'
} >"$prof" 2>&1 || log "profiling failed; the report says so"

# 3. Concurrency safety: the REST benchmarks once more under the race
# detector, which reports a data race whether or not it made a request fail
# in this run.
log "race detector (go test -race -bench 'RESTGet$|RESTPut$')"
race="$work/race.txt"
(cd tests/bench && timeout 600 "$go" test -race -count=1 -run '^$' -bench '^(BenchmarkRESTGet|BenchmarkRESTPut)$' -benchtime 1500x .) >"$race" 2>&1 || true

# 4. The suite itself; it writes the report.
log "running the suite (go test -run TestBenchReport ./tests/bench/)"
soak="${BENCH_SOAK:-60s}"
quick=0
if [[ "${BENCH_QUICK:-}" == 1 ]]; then
	quick=1
	soak="${BENCH_SOAK:-15s}"
fi
rm -f "$out.tmp"
status=0
CLUSTERGATE_BENCH_QUICK="$quick" \
	CLUSTERGATE_BENCH_REPORT="$out.tmp" \
	CLUSTERGATE_BENCH_COMMAND="${BENCH_COMMAND:-make bench}" \
	CLUSTERGATE_BENCH_PROFILE="$prof" \
	CLUSTERGATE_BENCH_RACE="$race" \
	CLUSTERGATE_BENCH_LOAD_WAIT="$wait_note" \
	CLUSTERGATE_BENCH_COMMIT="$commit" \
	CLUSTERGATE_BENCH_SOAK="$soak" \
	CLUSTERGATE_BENCH_SOAK_RATE="${BENCH_SOAK_RATE:-300}" \
	"$go" test -count=1 -timeout 15m -run '^TestBenchReport$' -v ./tests/bench/ >"$work/suite.log" 2>&1 || status=$?
grep -E '^(\s*--- |PASS|FAIL|ok\s)' "$work/suite.log" >&2 || true
if [[ ! -s "$out.tmp" ]]; then
	tail -50 "$work/suite.log" >&2
	log "no report written"
	exit 1
fi
mv -f "$out.tmp" "$out"
if (( status != 0 )); then
	grep -E '_test\.go:[0-9]+:' "$work/suite.log" | head -20 >&2 || true
	log "a section failed (the report says which); exit $status"
fi
log "wrote ${out#"$root/"} in $(( SECONDS - start )) s (waiting included)"
exit "$status"
