#!/usr/bin/env bash
# bench-ab.sh compares clustergate's per-request cost at two revisions,
# side by side in one run (benchstat-style: medians and their ratio), so a
# ratio, not an absolute time from a shared machine, is what gets quoted.
#
#   bash tests/scripts/bench-ab.sh <old-rev> [rounds] [benchtime]
#
# It builds BenchmarkHandler (tests/bench: the whole echo chain in process
# against the fast in-process upstream; GET members-recursion-1, GET member,
# PUT and PATCH member) twice: from the working tree, and from <old-rev>'s
# code with the working tree's tests/bench (so both measure the same
# requests), then runs them alternately, old then new, <rounds> times
# (default 6) and prints the median of each metric and new/old.
set -euo pipefail

cd "$(dirname "$0")/../.."
old_rev="${1:?usage: bench-ab.sh <old-rev> [rounds] [benchtime]}"
rounds="${2:-6}"
benchtime="${3:-1500x}"
go="${GO:-go}"
work="$(mktemp -d /tmp/cgab-XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/old"
git archive "$old_rev" | tar -x -C "$work/old"
rm -rf "$work/old/tests/bench"
cp -r tests/bench "$work/old/tests/bench"
(cd "$work/old/tests/bench" && "$go" test -c -o "$work/old.test" .)
(cd tests/bench && "$go" test -c -o "$work/new.test" .)

for ((i = 1; i <= rounds; i++)); do
	for v in old new; do
		(cd tests/bench && "$work/$v.test" -test.run '^$' -test.bench '^BenchmarkHandler$' \
			-test.benchtime "$benchtime" -test.benchmem) 2>&1 | grep '^Benchmark' | sed "s/^/$v /"
	done
done >"$work/runs.txt"

echo "old = $old_rev, new = working tree ($(git rev-parse --short HEAD)); $rounds rounds, interleaved; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-30s %-10s %12s %12s %8s\n" benchmark metric "old median" "new median" new/old
awk '
{ name = $2; sub(/-[0-9]+$/, "", name)
  for (i = 4; i + 1 <= NF; i += 2) { k = name SUBSEP $(i + 1); v[$1, k, ++n[$1, k]] = $i; keys[k] = 1 } }
function median(arm, k,    m, i, j, t, a) {
  m = n[arm, k]; for (i = 1; i <= m; i++) a[i] = v[arm, k, i]
  for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
END {
  for (k in keys) { split(k, p, SUBSEP)
    if (p[2] != "ns/op" && p[2] != "p50-µs" && p[2] != "B/op" && p[2] != "allocs/op") continue
    o = median("old", k); w = median("new", k)
    printf "%-30s %-10s %12.0f %12.0f %8.2f\n", p[1], p[2], o, w, (o ? w / o : 0) } }' "$work/runs.txt" | sort
