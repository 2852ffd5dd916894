package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/layout/dwarflayout"
)

var update = flag.Bool("update", false, "rewrite guest/mem64.wasm from guest/mem64.c")

// clangFlags build guest/mem64.c, run in guest/ with the source named by its
// base name so that no path reaches the output: freestanding wasm64, no
// libc (the guest brings memset, memcpy, memcmp and an allocator), exports
// named in the source, no entry point.
var clangFlags = []string{
	"--target=wasm64",
	"-O2",
	"-std=c17",
	"-Wall",
	"-Wextra",
	"-Werror",
	"-ffreestanding",
	"-fno-builtin",
	"-nostdlib",
	"-Wl,--no-entry",
	"-Wl,--strip-debug",
}

// requireClangEnv set to 1 turns a missing clang into a failure.
const requireClangEnv = "GUESTKIT_REQUIRE_CLANG"

// needClang skips t without clang and wasm-ld, unless GUESTKIT_REQUIRE_CLANG=1.
func needClang(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"clang", "wasm-ld"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(requireClangEnv) == "1" {
				t.Fatalf("%s not on PATH (%s=1)", tool, requireClangEnv)
			}
			t.Skipf("%s not on PATH (set %s=1 to make this an error)", tool, requireClangEnv)
		}
	}
}

// buildGuest compiles guest/mem64.c with clangFlags and extra into a
// temporary file and returns its path.
func buildGuest(t *testing.T, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "mem64.wasm")
	args := append(append(append([]string(nil), clangFlags...), extra...), "-o", out, "mem64.c")
	cmd := exec.Command("clang", args...)
	cmd.Dir = "guest"
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return out
}

// TestCommittedGuestMatchesSource rebuilds guest/mem64.wasm and fails if
// the committed file differs; with -update (go generate) it rewrites it.
func TestCommittedGuestMatchesSource(t *testing.T) {
	needClang(t)
	built, err := os.ReadFile(buildGuest(t))
	if err != nil {
		t.Fatal(err)
	}
	const committed = "guest/mem64.wasm"
	if *update {
		if err := os.WriteFile(committed, built, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old, built) {
		version, _ := exec.Command("clang", "--version").Output()
		line, _, _ := strings.Cut(string(version), "\n")
		t.Errorf("%s (%d bytes) is not what guest/mem64.c builds to (%d bytes) with %s: run go generate in examples/mem64 (or another clang emits other bytes; the committed one was built with Debian clang version 14.0.6)",
			committed, len(old), len(built), line)
	}
}

// TestLayoutMatchesGuestDWARF checks the Go types against the guest's own
// debug info: mem64.c built with -g must give struct point, item, shape,
// owner, request and reply the size, alignment, field offsets and pointer
// widths layout computes for wasm64.
func TestLayoutMatchesGuestDWARF(t *testing.T) {
	needClang(t)
	flags := make([]string, 0, len(clangFlags))
	for _, f := range clangFlags {
		if f != "-Wl,--strip-debug" {
			flags = append(flags, f)
		}
	}
	saved := clangFlags
	clangFlags = flags
	defer func() { clangFlags = saved }()
	wasm := buildGuest(t, "-g")
	g, err := dwarflayout.Open(wasm)
	if err != nil {
		t.Fatal(err)
	}
	if abi, err := g.ABI(); err != nil || fmt.Sprint(abi) != "wasm64" {
		t.Fatalf("the guest's ABI is %v (%v), want wasm64", abi, err)
	}
	dwarflayout.CheckWasm(t, wasm, Point{}, Item{}, Shape{}, Owner{}, Request{}, Reply{})
}
