package bench

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// explanations say why a target was missed, keyed by Row.Why. They were
// written from the profiles in the Profile section (taken again in every
// run) and from side-by-side experiments with patched builds
// (TestCompareBuilds; the patches themselves are not applied: production
// code is unchanged). The rows listed above each one are this run's.
var explanations = map[string]string{
	"errors": `**Cause: a data race in the Incus adapter makes concurrent requests cancel each other** (a correctness bug, not a performance one; ` +
		"how many requests it fails in a run depends on timing, the race detector finds it every time). " +
		"`adapters/incus/adapter.go` (`server()`) binds each request's context with `a.conn.(contextual).WithContext(ctx)` on the one shared client; " +
		"in `github.com/lxc/incus/v6/client` v6.23.0 `WithContext` is `rr := r; rr.ctx = ctx; return rr` on a *pointer*, so it overwrites the " +
		"shared client's context. Concurrent requests then send their upstream calls with whichever request's context was written last, and when " +
		"that request finishes, its `deadline` middleware's `cancel()` cancels the others' calls in flight: `504 … was cancelled` (also: wrong " +
		"deadlines, and a client disconnect cancelling someone else's call). `go test -race -bench 'RESTGet$/clustergate' ./tests/bench/` reports " +
		"it (see the Concurrency safety section). The e2e tests are sequential and never see it.\n\n" +
		"*Fix:* bind the context to a per-request copy — `a.conn.UseTarget(\"\").(contextual).WithContext(ctx)`: `UseTarget` returns a new " +
		"`*ProtocolIncus` sharing the HTTP client and server info, so `WithContext` writes only that copy (one small allocation per call); " +
		"the adapter does this since commit e69dc3f, so a failure here means it, or shared state like it, is back. Measured side by side " +
		"with the unpatched build over four runs at concurrency 8 (unpatched: 51, 60 and 70 failed of 24,000 GET members, GET cluster and PUT " +
		"member requests; patched: 0), and `go test -race` is clean. Worth reporting upstream " +
		"(`WithContext` should copy `*r`), and worth a concurrent e2e test under `-race`.",

	"fast-p50": "**Cause: clustergate's own CPU per request.** With the upstream answering in tens of microseconds, the proxy costs one " +
		"HTTP hop while clustergate authenticates, validates, decodes the upstream's answer and encodes its own. Done (issue 13; each " +
		"measured side by side with `make bench-ab OLD=<rev>`): keep-alive to the upstream (the client forces `DisableKeepAlives`), and on " +
		"a unix socket a transport of its own (`adapters/incus/socket.go`: the request is written and the answer read on the caller's " +
		"goroutine, where net/http's Transport hands each call to a write-loop and a read-loop goroutine, three wake-ups per call; " +
		"−11 % allocations on GET member, −15 % on PATCH), reads decoded in one pass through the client's `DoHTTP` (its typed getters decode " +
		"the envelope, then the metadata, then pretty-print it for a debug line that is discarded), typed conversions instead of " +
		"`reshape.Into` on the member paths, the Incus client's discarded debug logging silenced, and the middleware composed once per " +
		"route (Echo composes `e.Use` middleware on every request); then (session 4) each operation validated against its kin-openapi " +
		"route found at start instead of a second, gorilla/mux router per request (regexps), per-route values computed once, and the " +
		"upstream's answers decoded from a pooled buffer with segmentio's drop-in for encoding/json (`adapters/incus/decode.go`: " +
		"BenchmarkHandler 0.82× on GET members-recursion-1, 0.89× on GET member). Together: allocations per request 366 → 163 (GET member) " +
		"and 483 → 214 (GET members-recursion-1), in-process p50 about halved (BenchmarkHandler). What remains (BenchmarkHandler profile, " +
		"Profile section): Go's HTTP machinery on both hops (headers parsed, cloned and set, per-request contexts and timers), one decode " +
		"of the upstream answer (Incus's `ConfigMap` decodes itself through encoding/json) and one encode of the answer (the generated " +
		"strict handler's encoding/json), OpenAPI parameter validation, the access-log line, and the garbage collector's share of ≈ 18 KB " +
		"allocated per GET. `TestAllocsPerRequest` holds the allocation count to a recorded budget. " +
		"**PUT member is not one call:** clustergate serializes writes to one member (a per-resource lock) and reads the member back " +
		"after writing it to verify the write was kept (issue 16: no acknowledged write is lost, tested with concurrent writers against " +
		"real Incus and LXD); the proxy arms send one PUT with no such guarantee. At concurrency 8 the eight writers target the same member, " +
		"so they queue behind each other by design, and each costs two upstream calls.",

	"nginx-p50": "**Against nginx on a fast upstream the floor is much lower than Go's.** nginx proxies without parsing bodies, in one " +
		"event-driven process, for ≈ 20–60 µs of CPU per request here. The served process's profile (Profile section, TestServeProfile) " +
		"splits clustergate's: about three fifths in the handler chain (Echo and the middleware, of which the upstream call with its decode " +
		"is the largest part), the rest in net/http's server side (reading and parsing the request, writing the answer, a goroutine per " +
		"connection), the scheduler waking threads for each request, and the garbage collector; system calls (the socket reads and writes " +
		"on both hops) are over a tenth. At concurrency 8 the processes share the " +
		"machine's two CPUs with the load generator (and, for the fast upstream, the upstream), so clustergate's CPU per request becomes its " +
		"latency and throughput. On a real Incus the upstream's own milliseconds dominate and the ratios are near or within target. Closing " +
		"the rest on a fast upstream needs more than trimming: raw pass-through of answers whose facade schema equals the upstream's (no " +
		"decode, no encode; the facade's answer leaves out the fields the upstream sends as `null`, so it is not the upstream's bytes) and an " +
		"HTTP server without a goroutine hand-off per request — and the Go reverse proxy column shows that net/http alone, with no " +
		"application code, is already past the targets. " +
		"The *Go reverse proxy* column is the same request through `httputil.ReverseProxy` in its own process: how close a " +
		"front on net/http with no application code gets to nginx here (see the CPU explanation below for the split).",

	"nginx-cpu": "**CPU per request, split by the Go reverse proxy arm.** That arm is net/http's server side and client side of " +
		"one proxied request (`httputil.ReverseProxy` in its own process, the body streamed through, nothing decoded) with no " +
		"application code, so its CPU over nginx's (*Go proxy ÷ nginx*) is what Go's standard library and runtime cost for the work " +
		"nginx does: a goroutine per connection and the scheduler waking it for each request, the request parsed into an " +
		"`*http.Request` with its header map, context and timers, the `Transport`'s connection pool with a write-loop and a " +
		"read-loop goroutine per upstream connection, headers cloned for the outgoing request, and the garbage collector for all " +
		"of it. That part is not clustergate's: it is there in a front that does nothing but proxy. Lowering it means replacing " +
		"net/http on a hop (an event-loop HTTP server without a goroutine hand-off per request; a hand-written upstream client, " +
		"which clustergate already has, see below), a different HTTP stack rather than a change of the Incus client. Where " +
		"*Go proxy ÷ nginx* is itself over the 2× target, a front on net/http's server and client as they come misses the target " +
		"on this machine before doing any work of its own. What lies above the Go proxy (*clustergate ÷ Go proxy*, and the µs per " +
		"request quoted below as clustergate's own) is clustergate's: key checking, OpenAPI request validation, the Incus client's " +
		"call with one decode of the upstream's answer and one encode of the facade's, the access-log line, and the collector's share " +
		"of what these allocate (see the fast-upstream explanation and the Profile section for where it goes). clustergate's " +
		"upstream hop does not use net/http's `Transport` (`adapters/incus/socket.go` reads and writes on the caller's " +
		"goroutine), so the Go proxy's client side is an upper bound of that part of the floor, not a cost clustergate pays in " +
		"full: where clustergate's own cost is small, *clustergate ÷ Go proxy* can come out near or under 1×. PATCH is three " +
		"proxied calls through each proxy and one request to clustergate, which reads, writes and reads back (three upstream calls): " +
		"each proxy serves three requests where clustergate serves one, so for PATCH the Go proxy's figure overstates the floor " +
		"and clustergate's own cost cannot be read from *clustergate ÷ Go proxy*. CPU is read from `/proc/<pid>/task/*/schedstat`, or `/proc/<pid>/stat` in 10 ms ticks, " +
		"then a ratio is drawn only from at least 20 ticks on each side.",

	"lxd-p50": "**With a real LXD the upstream dominates**, and clustergate's extra CPU (see the fast-upstream explanation) competes with LXD " +
		"for the machine's two CPUs at concurrency 8. PUT member is a serialized write plus a read-back (see the fast-upstream explanation): " +
		"eight writers to one member queue behind each other by design, and each waits for two of LXD's answers.",

	"mcp-call": "**Cause: MCP's own encoding, mostly on the server's side of the Go SDK.** A tool call is the REST call in process plus JSON-RPC " +
		"decoding and encoding on the client and the server, SSE framing, and the result's structured and text copies. Client and server " +
		"share the bench process, so the section's third arm, a raw JSON-RPC client (`benchkit.RawMCP`: `net/http` and `encoding/json`, no SDK; " +
		"its own decoding of the answer allocates ≈ 11 KB per call), splits the two: most of what a tool call adds is the server's. In one run of " +
		"`go test -run '^$' -bench BenchmarkMCPToolsCall -benchtime 2000x -benchmem ./tests/bench/` on the shared two-CPU machine, p50 and bytes " +
		"allocated per call were: REST 0.154 ms, 29 KB; tools/call from the raw client 0.731 ms, 259 KB; from the Go SDK client 0.818 ms, 398 KB. " +
		"So of the ≈ 0.66 ms a tool call adds to REST, ≈ 0.58 ms (close to 90 %) is the server side and the exchange and ≈ 0.09 ms the Go SDK " +
		"client; a quick report run agreed (0.62 of 0.74 ms on get-cluster-members-2, 0.45 of 0.53 ms on update-cluster-member, 0.44 of 0.62 ms " +
		"against LXD), and this run's split is quoted below. The allocation profile of the raw arm puts ≈ 180 KB of the server's share in " +
		"`github.com/segmentio/encoding/json.(*Decoder).readValue`: the SDK server decodes each incoming tools/call about six times through its " +
		"`internal/json.Unmarshal` (`mcp.readBatch`, `jsonrpc2.DecodeMessage`, `extractRequestMeta` — called from both `servePOST` and " +
		"`validateRequestMeta` — and the call's params), and that function wraps bytes already in memory in a new streaming `Decoder`, which " +
		"allocates a 32–64 KB buffer each time; the Go SDK client does the same to every answer (the ≈ 140 KB between the two MCP arms). The " +
		"garbage collector then takes its share. In clustergate, `Caller.outcome` hands the REST body to the SDK as raw JSON (it used to decode " +
		"it into `any` first); the SDK still encodes the whole result again. A client that cost nothing would still leave the tool call 4 to 5× " +
		"the REST call on the fast upstream: the target there depends on the server side.\n\n" +
		"*Proposals:* (1) upstream, in `modelcontextprotocol/go-sdk` `internal/json.Unmarshal`: `json.Parse(data, v, " +
		"json.DontMatchCaseInsensitiveStructFields)` instead of `NewDecoder(bytes.NewReader(data)).Decode(v)`; (2) in `mcp/result.go`, pass the " +
		"body as `json.RawMessage` (wrapped as `{\"items\": …}` by concatenation) instead of decoding it into `any`. Measured side by side " +
		"(medians of four runs): what MCP adds to the REST call goes from 0.64 ms to 0.47 ms per call, and with the REST fixes above a " +
		"tools/call goes from 1.0 ms to 0.69 ms. The ratio still misses on a fast upstream: an MCP `ping` alone (JSON-RPC over streamable " +
		"HTTP with SSE, no work) costs about half a REST call here, and the REST fixes shrink the denominator. Against a real LXD the upstream " +
		"dominates and the ratio is within target. (Serving `application/json` instead of SSE — the SDK's `JSONResponse` option — would save " +
		"the framing but loses progress notifications during long calls.)",

	"tools-list": "tools/list has no target. It returns every tool with its full input and output schemas; the SDK server encodes " +
		"`map[string]any` schemas (sorting map keys) twice per call (`jsonrpc2.NewResponse` → `marshalToRaw`, then the transport's encoder), " +
		"and the Go SDK client decodes them into maps and re-marshals each input schema (`filterValidTools`). Clients call it once per session.",

	"startup": "**Cause: package initialisation, then registering the tools.** `clustergate version` alone (start, initialise ~390 packages, " +
		"exit) costs several times the minimal server (see the *inittrace* part of the Profile section: `santhosh-tekuri/jsonschema/v6`, pulled " +
		"in by kin-openapi, compiles its meta-schemas at init; controller-runtime, client-go's scheme and kube-openapi register types and formats " +
		"for the Cluster API surface). `clustergate mcp` then answers the first tools/list from the listing `make generate` derives from the specs " +
		"(`cmd/toolsgen`, `generated/mcptools/tools.json`, held equal to the derivation by a test) while `app.BuildBeside` parses the three specs " +
		"on one CPU, with GOMAXPROCS one above its setting while it runs so that it never holds the processor the client's answers need — a " +
		"tool call waits for it; what stays on the way to the first answer (timed inside the process: main at ≈ 27–30 ms, configuration ≈ 2.5 ms, " +
		"the listing ≈ 2 ms, the tools registered ≈ 4 ms, the handshake and tools/list ≈ 3 ms) is package initialisation above all, then the SDK's " +
		"`AddTool`, which decodes every schema again (the listing hands them over as JSON, undecoded). On a busy machine the wall time also includes waiting for a CPU (compare with the CPU-time row).\n\n" +
		"*Done* (each measured side by side with `TestCompareStartup`, `tests/bench/builds_startup_test.go`): the generated listing with the " +
		"build beside it: wall 0.62–0.68× against the tree before it (7 interleaved rounds, load 5); the spare processor: 62 → 46–50 ms " +
		"median on a quiet machine, as fast as with no build running (without it, the goroutines answering the client queued behind the " +
		"build until the scheduler preempted it, 10 ms at a time); the facade specs share repeated parameters and the default error " +
		"answer as components (parsing 0.77–0.90×); before that, `/openapi.json`, the `/docs` " +
		"files and `serve`'s per-role SDK servers were made lazy, and the build pauses garbage collection (CPU 0.66–0.77×). " +
		"*Remaining:* package initialisation (25–30 ms). Further: keep the Cluster API scheme to the types the adapter uses rather than " +
		"client-go's whole scheme (controller-runtime's client and its fake, which the sandbox uses, import it); hand the SDK schemas it does " +
		"not remarshal (`*jsonschema.Schema`).",

	"startup-sandbox": "**Same cause as above.** The sandboxes no longer cost start-up: the Cluster API one (a controller-runtime fake " +
		"client seeded and reconciled) is built on its first call (`sandbox/capi.Lazy`), and the Portworx one is two small in-memory clusters. " +
		"Measured side by side, start-up with the defaults is within the noise of start-up with the sandbox off; what remains is the " +
		"start-up group above.",

	"rss": "**Cause: the binary's pages, which package initialisation decides.** The RssFile row is the part of the binary mapped into the " +
		"process: `clustergate version` (initialise, print, exit) alone peaks at ≈ 34 MB against ≈ 8 MB for the minimal SDK server, and " +
		"idle `serve` adds only ≈ 4 MB to that. Of the 20–25 ms and 6 MB of init allocations, the 120 `k8s.io`/`sigs.k8s.io` packages of the " +
		"Cluster API surface take about half, kin-openapi with its JSON Schema compiler about a quarter. RssFile also depends on how the " +
		"binary got into the page cache (see the section's intro: 30 MB to 50 MB for the same file), so compare builds side by side with " +
		"`TestCompareStartup`, which puts them in the same state. RssAnon (heap, stacks) is what the code decides.\n\n" +
		"*Done* (each measured side by side with `TestCompareStartup`): `serve` returns the start-up garbage to the OS once its MCP handler " +
		"is built, with one forced collection (`debug.FreeOSMemory` collects first) instead of two; the per-role SDK servers are built on " +
		"first use (their `AddTool` re-encoded every schema at start); `/openapi.json` is encoded and the `/docs` files are read on their " +
		"first request; the Cluster API sandbox is built on its first call. Together, against the tree before them (11 interleaved rounds, " +
		"medians, binaries dropped from the page cache): idle RssAnon 16.3 → 11.5 MB (0.70×) and VmRSS 49.4 → 42.7 MB (0.86×) with the " +
		"sandbox off, 16.5 → 11.4 MB and 49.7 → 42.9 MB with the defaults. The idle heap now holds ≈ 5 MB of live data in ≈ 8.6 MB of spans. " +
		"Then the binary itself: cobra's version template linked text/template's executor, whose `reflect.Value.MethodByName` makes the " +
		"linker keep every exported method of every type that reaches an interface (mostly the k8s.io/api groups' generated code); " +
		"`--version` is now clustergate's own flag (same output), and `TestLinkerDropsUnusedMethods` (cmd/clustergate) fails if any " +
		"such call becomes reachable again. With the Cluster API adapter no longer importing cluster-api's `util/secret` (kubeadm bootstrap " +
		"types, k8s.io/cluster-bootstrap), the binary went 53.8 → 42.6 MB and, against the tree before (9 interleaved rounds, medians): " +
		"idle VmRSS 43.3 → 37.5 MB (0.86×) with the sandbox off, 43.8 → 37.8 MB with the defaults; RssAnon unchanged (11.4 → 11.2 MB). " +
		"*Remaining:* k8s.io/api still takes ≈ 7 MB of the binary's code (protobuf `Unmarshal`/`Marshal`, `String`, `DeepCopyInto` of every " +
		"group client-go's scheme registers, kept because controller-runtime's client links that whole scheme); the Cluster API adapter on " +
		"client-go's dynamic client or a narrower scheme would drop most of it. Holding collection off during `serve`'s build was tried and " +
		"not kept: the live data then spreads over more pages (RssAnon 12.1 → 15.1 MB).",

	"rss-sandbox": "**Same cause as above.** The sandboxes no longer add to the idle heap: the Cluster API one is built on its first call " +
		"and the Portworx one is two small in-memory clusters, so idle RSS with the defaults is within 0.5 MB of the sandbox off; a sandbox " +
		"a client has used keeps its data (made-up clusters, pairs) for the life of the process, as it must.",

	"soak-errors": "The soak's failures are the context race (see the first explanation): a fixed-rate load still overlaps requests, and " +
		"each overlap can cancel another request's upstream call.",

	"soak-rss": "RSS grew between the first and last third of the load. Go returns freed memory to the OS lazily (the scavenger), so RSS " +
		"alone can rise while the heap is flat; the samples table shows whether `/metrics`' resident figure and the goroutines levelled off. " +
		"If a run shows steady growth, take a heap profile of a long soak (`BENCH_SOAK=5m`) before concluding there is a leak.",

	"soak-goroutines": "Goroutines rose during the load: requests queue when the machine cannot keep up with the offered rate (look for " +
		"late sends and p99 in the latency table), and each request in flight holds a connection goroutine. The idle-after-load row says " +
		"whether they all went away again, which is the leak test.",
}

// whyOrder is the order of the groups in "What missed and why".
var whyOrder = []string{"errors", "soak-errors", "fast-p50", "nginx-p50", "nginx-cpu", "lxd-p50", "mcp-call", "startup", "startup-sandbox", "rss",
	"rss-sandbox", "soak-rss", "soak-goroutines"}

// whatMissed lists every missed target of this run, grouped by cause, each
// group's explanation followed by the figures of this run it quotes.
func whatMissed(missed []missedRow, quotes map[string][]string) string {
	var b strings.Builder
	b.WriteString("## What missed and why\n\n")
	if len(missed) == 0 {
		b.WriteString("Every target was met in this run.\n\n")
		return b.String()
	}
	b.WriteString("Each group lists this run's missed figures, then the cause with its evidence and the proposed fix. " +
		"The fixes were tried as patches to copies of the tree and measured side by side with `TestCompareBuilds` " +
		"(`tests/bench/builds_test.go`); the figures quoted for them come from those experiments, not from this run.\n\n")
	by := map[string][]missedRow{}
	for _, m := range missed {
		by[m.row.Why] = append(by[m.row.Why], m)
	}
	// Correctness first; the texts refer back to earlier groups.
	order := []string{}
	for _, why := range whyOrder {
		if len(by[why]) > 0 {
			order = append(order, why)
		}
	}
	for why := range by {
		if !slices.Contains(order, why) {
			order = append(order, why)
		}
	}
	for _, why := range order {
		for _, m := range by[why] {
			vals := make([]string, len(m.row.Values))
			for i, v := range m.row.Values {
				if i < len(m.table.Head) {
					v = m.table.Head[i] + " " + v
				}
				vals[i] = v
			}
			r := ""
			if !math.IsNaN(m.row.Ratio) {
				r = ", " + cmp.Or(m.table.RatioHead, "ratio") + " " + fmtRatio(m.row.Ratio)
			}
			fmt.Fprintf(&b, "- %s — %s%s: %s%s; target %s\n", m.section, m.table.short(), m.row.Label,
				strings.Join(vals, ", "), r, m.row.Target)
		}
		b.WriteString("\n")
		if e, ok := explanations[why]; ok {
			b.WriteString(e + "\n\n")
		}
		if q := quotes[why]; len(q) > 0 {
			b.WriteString("This run's figures:\n\n- " + strings.Join(q, "\n- ") + "\n\n")
		}
	}
	return b.String()
}
