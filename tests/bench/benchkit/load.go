package benchkit

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Sample is the outcome of a bounded run: every request's latency, the
// errors and the wall time the run took.
type Sample struct {
	Lat      []time.Duration
	Errors   int
	FirstErr error
	Elapsed  time.Duration
}

// Add appends another run's sample (rounds of the same arm).
func (s *Sample) Add(o Sample) {
	s.Lat = append(s.Lat, o.Lat...)
	s.Errors += o.Errors
	if s.FirstErr == nil {
		s.FirstErr = o.FirstErr
	}
	s.Elapsed += o.Elapsed
}

// N is the number of requests that succeeded.
func (s *Sample) N() int { return len(s.Lat) }

// Quantile returns the q-quantile (0..1) of the latencies.
func (s *Sample) Quantile(q float64) time.Duration {
	if len(s.Lat) == 0 {
		return 0
	}
	l := slices.Clone(s.Lat)
	slices.Sort(l)
	i := int(q*float64(len(l)-1) + 0.5)
	return l[min(i, len(l)-1)]
}

// P50 and P99 are the median and 99th percentile latencies.
func (s *Sample) P50() time.Duration { return s.Quantile(0.50) }
func (s *Sample) P99() time.Duration { return s.Quantile(0.99) }

// Throughput is successful requests per second of wall time.
func (s *Sample) Throughput() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(len(s.Lat)) / s.Elapsed.Seconds()
}

// Closed runs fn n times from conc workers (a closed loop: each worker
// sends its next request when the previous one is answered), stopping early
// at maxDur. Failed requests count as errors, not latencies.
func Closed(ctx context.Context, conc, n int, maxDur time.Duration, fn func(context.Context) error) Sample {
	ctx, cancel := context.WithTimeout(ctx, maxDur)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	var out Sample
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, n/conc+1)
			errs := 0
			var first error
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				t0 := time.Now()
				err := fn(ctx)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break // the time bound, not a failure
					}
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, d)
			}
			mu.Lock()
			out.Lat = append(out.Lat, lat...)
			out.Errors += errs
			if out.FirstErr == nil {
				out.FirstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.Elapsed = time.Since(start)
	return out
}

// Arm is one side of a comparison: a name and the request it repeats.
type Arm struct {
	Name string
	Do   func(context.Context) error
}

// Plan says how much load each arm gets.
type Plan struct {
	Conc     int           // concurrent workers
	Warm     int           // requests per arm first, discarded
	Rounds   int           // rounds; each round runs every arm once
	PerRound int           // requests per arm per round
	MaxRound time.Duration // bound of one arm's round
}

// Compare runs the arms interleaved, round after round (the order rotates
// every round), so that a load spike from the rest of the machine hits every
// arm alike; each arm's rounds are pooled.
func Compare(ctx context.Context, p Plan, arms ...Arm) map[string]*Sample {
	out := map[string]*Sample{}
	for _, a := range arms {
		out[a.Name] = &Sample{}
		if p.Warm > 0 {
			Closed(ctx, p.Conc, p.Warm, p.MaxRound, a.Do)
		}
	}
	for r := 0; r < p.Rounds; r++ {
		for i := range arms {
			a := arms[(i+r)%len(arms)]
			out[a.Name].Add(Closed(ctx, p.Conc, p.PerRound, p.MaxRound, a.Do))
		}
	}
	return out
}

// Ms formats a duration in milliseconds with three decimals.
func Ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
