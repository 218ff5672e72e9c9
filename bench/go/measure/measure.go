// Command measure runs one command and reports what it cost: wall time,
// user and system CPU, and peak resident set size. bench/compare.py
// starts every benchmark run through it.
//
// Why a helper rather than os.wait4 in compare.py itself: on Linux a
// child's peak RSS includes the memory of the process it was forked
// from, up to its exec (the kernel folds the old address space's high
// water mark into the new one at exec). Forked from Python, every child
// therefore reports at least the Python interpreter's ~10 MiB, which
// hides exactly the small figures this project cares about. Forked from
// this small Go program the floor is its own few MiB at most; README.md
// gives the measured figure.
//
// Usage: measure -result-fd N [-timeout 600s] -- COMMAND [ARG...]
// The command inherits stdin, stdout and stderr. One line goes to file
// descriptor N once it has ended:
//
//	wall=SECONDS user=SECONDS sys=SECONDS maxrss_kb=KB exit=CODE
//
// with exit=-SIGNAL if a signal ended it, and timeout=1 added when it was
// killed for running past -timeout. measure itself exits 0 after a
// report, 127 if the command could not be started, 2 on bad usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	resultFD := flag.Int("result-fd", -1, "file descriptor the report is written to")
	timeout := flag.Duration("timeout", 0, "kill the command after this long; 0 for never")
	flag.Parse()
	if *resultFD < 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure -result-fd N [-timeout D] -- COMMAND [ARG...]")
		os.Exit(2)
	}
	result := os.NewFile(uintptr(*resultFD), "result")

	// Pdeathsig is tied to the thread that starts the child: keep this
	// goroutine on one thread so that, if measure is killed, the command
	// dies with it instead of running on unmeasured.
	runtime.LockOSThread()

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "measure: cannot start '%s': %v\n", flag.Arg(0), err)
		os.Exit(127)
	}
	var timedOut atomic.Bool
	if *timeout > 0 {
		t := time.AfterFunc(*timeout, func() {
			timedOut.Store(true)
			cmd.Process.Kill()
		})
		defer t.Stop()
	}
	err := cmd.Wait()
	wall := time.Since(start)

	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(os.Stderr, "measure: cannot wait for '%s': %v\n", flag.Arg(0), err)
		os.Exit(127)
	}
	state := cmd.ProcessState
	ru := state.SysUsage().(*syscall.Rusage)
	code := state.ExitCode()
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = -int(ws.Signal())
	}
	line := fmt.Sprintf("wall=%.6f user=%.6f sys=%.6f maxrss_kb=%d exit=%d",
		wall.Seconds(), tvSeconds(ru.Utime), tvSeconds(ru.Stime), ru.Maxrss, code)
	if timedOut.Load() {
		line += " timeout=1"
	}
	if _, err := fmt.Fprintln(result, line); err != nil {
		fmt.Fprintf(os.Stderr, "measure: cannot write the report: %v\n", err)
		os.Exit(1)
	}
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}
