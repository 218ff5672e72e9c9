// Command rtt is the Go baseline for the round-trip experiment: it
// simulates N hosts that each answer after one round-trip time, by
// running one goroutine per host that sleeps for the RTT (plus an
// optional uniform jitter), and waits for all of them with a
// sync.WaitGroup. It uses the standard library only, so it measures what
// the Go runtime's scheduler and timers cost at this concurrency and
// nothing else. bench/compare.py runs it next to fanout and the Python
// baselines; bench/rtt.sh builds it.
//
// Usage: rtt [-hosts N] [-rtt DURATION] [-jitter DURATION]
// It prints one line: go hosts=N rtt=DURATION ok=DONE/N
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	hosts := flag.Int("hosts", 10000, "number of simulated hosts, one goroutine each")
	rtt := flag.Duration("rtt", 50*time.Millisecond, "round-trip time each task sleeps")
	jitter := flag.Duration("jitter", 0, "extra sleep drawn uniformly from [0, jitter) per task")
	flag.Parse()

	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "rtt: unexpected argument '%s'\n", flag.Arg(0))
		os.Exit(2)
	}
	if *hosts <= 0 {
		fmt.Fprintf(os.Stderr, "rtt: -hosts must be positive, got '%d'\n", *hosts)
		os.Exit(2)
	}
	if *rtt < 0 || *jitter < 0 {
		fmt.Fprintf(os.Stderr, "rtt: -rtt and -jitter must not be negative\n")
		os.Exit(2)
	}

	// The jitter is drawn here, in the spawning goroutine, from a source
	// with a fixed seed: every run sleeps the same set of durations, and
	// the tasks do not contend on the lock of the global source.
	rng := rand.New(rand.NewSource(1))
	var ok atomic.Int64
	var wg sync.WaitGroup
	wg.Add(*hosts)
	for i := 0; i < *hosts; i++ {
		d := *rtt
		if *jitter > 0 {
			d += time.Duration(rng.Int63n(int64(*jitter)))
		}
		go func(d time.Duration) {
			defer wg.Done()
			time.Sleep(d)
			ok.Add(1)
		}(d)
	}
	wg.Wait()

	line := fmt.Sprintf("go hosts=%d rtt=%s", *hosts, *rtt)
	if *jitter > 0 {
		line += fmt.Sprintf(" jitter=%s", *jitter)
	}
	fmt.Printf("%s ok=%d/%d\n", line, ok.Load(), *hosts)
	if ok.Load() != int64(*hosts) {
		os.Exit(1)
	}
}
