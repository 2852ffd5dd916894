//go:build wasip1

// Command goguest is the Go (GOOS=wasip1 GOARCH=wasm) counterpart of the C
// program in examples/wasi/guest: it exercises arguments, environment, stdin,
// clocks, sleeping, randomness, stdout and stderr, and exits with a status
// taken from its arguments.
//
// Its output on stdout and stderr is byte-for-byte the same for the same
// arguments, environment and stdin: clock and random values are never
// printed, only whether they look sane.
//
// An argument "exit=N" makes the program exit with status N (the last such
// argument wins); otherwise it exits with status 0.
package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

func fnv1a64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func yesno(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func main() {
	code := 0

	fmt.Printf("wasi goguest: hello on stdout\n")
	fmt.Fprintf(os.Stderr, "wasi goguest: hello on stderr\n")

	// args_sizes_get, args_get
	fmt.Printf("argc %d\n", len(os.Args))
	for i, a := range os.Args {
		fmt.Printf("argv[%d] %s\n", i, a)
		if v, ok := strings.CutPrefix(a, "exit="); ok {
			n, _ := strconv.Atoi(v)
			code = n
		}
	}

	// environ_sizes_get, environ_get
	for _, name := range []string{"GUESTKIT_GREETING", "GUESTKIT_UNSET"} {
		if v, ok := os.LookupEnv(name); ok {
			fmt.Printf("getenv %s=%s\n", name, v)
		} else {
			fmt.Printf("getenv %s unset\n", name)
		}
	}
	env := os.Environ()
	for i, e := range env {
		fmt.Printf("environ[%d] %s\n", i, e)
	}
	fmt.Printf("environ count %d\n", len(env))

	// fd_read until EOF
	in, err := io.ReadAll(os.Stdin)
	errName := "OK"
	if err != nil {
		errName = "error"
	}
	fmt.Printf("stdin %d bytes fnv1a64 %016x err %s\n", len(in), fnv1a64(in), errName)

	// clock_time_get: time.Now carries both a wall and a monotonic reading.
	t0 := time.Now()
	fmt.Printf("clock realtime sane %s\n", yesno(t0.Unix() >= 1000000000))
	t1 := time.Now()
	fmt.Printf("clock monotonic nondecreasing %s\n", yesno(t1.Sub(t0) >= 0))

	// poll_oneoff (clock subscription)
	time.Sleep(2 * time.Millisecond)
	fmt.Printf("sleep 2ms slept at least 2ms %s\n", yesno(time.Since(t1) >= 2*time.Millisecond))

	// random_get
	rnd := make([]byte, 32)
	_, err = rand.Read(rnd)
	nonzero := false
	for _, b := range rnd {
		if b != 0 {
			nonzero = true
		}
	}
	fmt.Printf("crypto/rand ok %s nonzero %s\n", yesno(err == nil), yesno(err == nil && nonzero))

	// proc_exit
	fmt.Printf("exit %d\n", code)
	fmt.Fprintf(os.Stderr, "wasi goguest: exit %d\n", code)
	os.Exit(code)
}
