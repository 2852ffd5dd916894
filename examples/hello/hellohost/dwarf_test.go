package hellohost

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// TestLayoutMatchesGuestDWARF checks the Go types against the C guest's
// own debug info: hello.c is built with -g (the committed hello.wasm is
// stripped), and every size, alignment, field offset and pointer width
// clang gave struct point, item, shape, request and reply must be the one
// layout computes for Point, Item, Shape, Request and Reply.
func TestLayoutMatchesGuestDWARF(t *testing.T) {
	if err := guestbuild.ClangAvailable(); err != nil {
		if os.Getenv(guestbuild.RequireClangEnv) == "1" {
			t.Fatalf("%v (%s=1)", err, guestbuild.RequireClangEnv)
		}
		t.Skipf("%v (set %s=1 to make this an error)", err, guestbuild.RequireClangEnv)
	}
	wasm := filepath.Join(t.TempDir(), "hello.wasm")
	args := []string{"--target=wasm32-wasi", "--sysroot=" + guestbuild.Sysroot, "-O2", "-g", "-std=gnu17", "-o", wasm, "hello.c"}
	cmd := exec.Command("clang", args...)
	cmd.Dir = "../guest"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang %v: %v\n%s", args, err, out)
	}
	dwarflayout.CheckWasm(t, wasm, Point{}, Item{}, Shape{}, Request{}, Reply{})
}
