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
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
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

	// With the argument "files", a file program in the preopen "/":
	// path_open, fd_write, fd_read, fd_readdir, path_filestat_get,
	// path_rename, path_unlink_file, path_create_directory and
	// path_remove_directory.
	if slices.Contains(os.Args, "files") {
		files()
	}

	// proc_exit
	fmt.Printf("exit %d\n", code)
	fmt.Fprintf(os.Stderr, "wasi goguest: exit %d\n", code)
	os.Exit(code)
}

// files creates, writes, reads back, lists, stats, renames and removes
// files and a directory under /, printing what it sees.
func files() {
	say := func(what string, err error) {
		if err != nil {
			fmt.Printf("%s: error %v\n", what, err)
			return
		}
		fmt.Printf("%s: ok\n", what)
	}
	say("mkdir /dir", os.Mkdir("/dir", 0o755))
	say("create /dir/a.txt", os.WriteFile("/dir/a.txt", []byte("hello, files\n"), 0o644))
	f, err := os.OpenFile("/dir/a.txt", os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		_, err = f.WriteString("appended\n")
		f.Close()
	}
	say("append /dir/a.txt", err)
	b, err := os.ReadFile("/dir/a.txt")
	fmt.Printf("read back %q %v\n", b, err)
	fi, err := os.Stat("/dir/a.txt")
	if err == nil {
		fmt.Printf("stat size %d regular %s dir %s\n", fi.Size(), yesno(fi.Mode().IsRegular()), yesno(fi.IsDir()))
	}
	say("create /dir/b.txt", os.WriteFile("/dir/b.txt", nil, 0o644))
	des, err := os.ReadDir("/dir")
	for _, de := range des {
		fmt.Printf("entry %s dir %s\n", de.Name(), yesno(de.IsDir()))
	}
	say("readdir /dir", err)
	say("rename a.txt c.txt", os.Rename("/dir/a.txt", "/dir/c.txt"))
	_, err = os.Stat("/dir/a.txt")
	fmt.Printf("old name gone %s\n", yesno(errors.Is(err, fs.ErrNotExist)))
	say("rmdir non-empty", os.Remove("/dir"))
	say("remove b.txt", os.Remove("/dir/b.txt"))
	say("remove c.txt", os.Remove("/dir/c.txt"))
	say("rmdir /dir", os.Remove("/dir"))
	_, err = os.Stat("/dir")
	fmt.Printf("dir gone %s\n", yesno(errors.Is(err, fs.ErrNotExist)))
	_, err = os.Open("/../outside")
	fmt.Printf("escape refused %s\n", yesno(err != nil))
}
