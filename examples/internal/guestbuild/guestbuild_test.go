package guestbuild_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
)

// requireClang skips t when the C toolchain of the committed guests is not
// installed, or is another version, unless GUESTKIT_REQUIRE_CLANG=1, in
// which case t fails.
func requireClang(t *testing.T) {
	t.Helper()
	stop := t.Skipf
	if os.Getenv(guestbuild.RequireClangEnv) == "1" {
		stop = t.Fatalf
	}
	if err := guestbuild.ClangAvailable(); err != nil {
		stop("%v (set %s=1 to make this an error)", err, guestbuild.RequireClangEnv)
	}
	v, err := guestbuild.ClangVersionLine()
	if err != nil {
		stop("clang --version: %v", err)
	}
	if v != guestbuild.ClangVersion {
		stop("clang is %q, the committed guests were built with %q; another compiler may emit other bytes (set %s=1 to make this an error)",
			v, guestbuild.ClangVersion, guestbuild.RequireClangEnv)
	}
}

// TestCommittedGuestsMatchSource rebuilds every C guest and checks the
// committed .wasm is exactly what its sources produce.
func TestCommittedGuestsMatchSource(t *testing.T) {
	requireClang(t)
	root, err := guestbuild.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range guestbuild.CGuests {
		t.Run(g.Name, func(t *testing.T) {
			committed, err := os.ReadFile(filepath.Join(root, g.Wasm()))
			if err != nil {
				t.Fatalf("%v; run `go generate ./examples/...` from the module root", err)
			}
			built, err := guestbuild.RebuildC(g.Dir, g.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(committed, built) {
				t.Fatalf("%s (%d bytes) is not what %s builds (%d bytes) with `cd %s && %s`: run `go generate ./examples/...` from the module root and commit the result",
					g.Wasm(), len(committed), g.Source(), len(built), g.Dir, guestbuild.CommandLine(g))
			}
		})
	}
}

// TestCBuildReproducible builds every C guest from copies of its sources in
// two unrelated directories and checks the outputs are identical to each
// other and to the build in place, and name none of the directories.
func TestCBuildReproducible(t *testing.T) {
	requireClang(t)
	root, err := guestbuild.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range guestbuild.CGuests {
		t.Run(g.Name, func(t *testing.T) {
			src := filepath.Join(root, filepath.FromSlash(g.Dir))
			inPlace, err := guestbuild.RebuildC(g.Dir, g.Name)
			if err != nil {
				t.Fatal(err)
			}
			dirs := []string{
				filepath.Join(t.TempDir(), "a"),
				filepath.Join(t.TempDir(), "a much", "longer", "path-to", "the_guest"),
			}
			for _, dir := range dirs {
				copySources(t, src, dir)
				b, err := guestbuild.RebuildC(dir, g.Name)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b, inPlace) {
					t.Errorf("build in %s differs from the build in %s", dir, src)
				}
			}
			for _, p := range append(dirs, src, root, os.TempDir()) {
				if bytes.Contains(inPlace, []byte(p)) {
					t.Errorf("output contains the path %q", p)
				}
			}
		})
	}
}

// copySources copies the .c and .h files of src into dst.
func copySources(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".c") || strings.HasSuffix(n, ".h") {
			b, err := os.ReadFile(filepath.Join(src, n))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestGoGuestsBuild builds every Go guest for GOOS=wasip1 GOARCH=wasm.
func TestGoGuestsBuild(t *testing.T) {
	for _, pkg := range guestbuild.GoGuests {
		t.Run(pkg, func(t *testing.T) {
			b, err := os.ReadFile(guestbuild.BuildGo(t, pkg))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("\x00asm\x01\x00\x00\x00")) {
				t.Fatalf("not a WebAssembly 1.0 module: % x", b[:min(8, len(b))])
			}
			t.Logf("%s: %d bytes", pkg, len(b))
		})
	}
}

// TestCommandLine pins the documented clang command.
func TestCommandLine(t *testing.T) {
	got := guestbuild.CommandLine(guestbuild.CGuest{Dir: "examples/hello/guest", Name: "hello"})
	want := "clang --target=wasm32-wasi --sysroot=/usr -O2 -std=gnu17 -Wall -Wextra -Werror -Wl,--strip-debug -o hello.wasm hello.c"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
