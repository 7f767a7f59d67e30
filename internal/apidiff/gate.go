package apidiff

import (
	"fmt"
	"io"
)

// Verdict is the gate's judgement of a report against the acknowledgements.
type Verdict struct {
	Report  *Report
	Acked   map[int]Ack // index in Report.Changes → its acknowledgement
	Unacked []Change    // breaking and not acknowledged: the gate fails
	Unused  []Ack       // acknowledgements nothing matched (stale once released)
}

// Gate sorts the breaking changes into acknowledged and not.
func Gate(r *Report, acks *Acks) Verdict {
	v := Verdict{Report: r, Acked: map[int]Ack{}}
	used := map[Ack]bool{}
	for i, c := range r.Changes {
		if !c.Breaking {
			continue
		}
		if k, ok := acks.Find(c); ok {
			v.Acked[i], used[k] = k, true
			continue
		}
		v.Unacked = append(v.Unacked, c)
	}
	for _, k := range acks.Acknowledged {
		if !used[k] {
			v.Unused = append(v.Unused, k)
		}
	}
	return v
}

// OK says whether every breaking change is acknowledged.
func (v Verdict) OK() bool { return len(v.Unacked) == 0 }

// Write prints the verdict: unacknowledged breaking changes first, then the
// acknowledged ones with their reason, then a count of the rest.
func (v Verdict) Write(w io.Writer, against string) {
	fmt.Fprintf(w, "check-api: the facade specs against %s: %d changes, %d breaking (%d acknowledged)\n",
		against, len(v.Report.Changes), len(v.Report.Breaking()), len(v.Acked))
	if len(v.Unacked) > 0 {
		fmt.Fprintln(w, "\nBREAKING, not acknowledged in openapi/breaking-changes.yaml:")
		for _, c := range v.Unacked {
			fmt.Fprintln(w, "  "+c.Line())
		}
	}
	for i, c := range v.Report.Changes {
		if k, ok := v.Acked[i]; ok {
			fmt.Fprintf(w, "  acknowledged for %s: %s (reason: %s)\n", k.Version, c.Line(), k.Reason)
		}
	}
	if other := v.Report.Other(); len(other) > 0 {
		fmt.Fprintln(w, "\nNot breaking:")
		for _, c := range other {
			fmt.Fprintln(w, "  "+c.Line())
		}
	}
	for _, k := range v.Unused {
		fmt.Fprintf(w, "  note: acknowledgement of %s %s%s matches no change (released already?)\n", k.Rule, k.Route, k.Tool)
	}
	if v.OK() {
		fmt.Fprintln(w, "check-api: ok")
		return
	}
	fmt.Fprintln(w, "\ncheck-api: FAIL. Each entry above breaks REST clients or MCP agents of the released contract.")
	fmt.Fprintln(w, "Undo it, or acknowledge it in openapi/breaking-changes.yaml (route or tool, rule, reason, version).")
}
