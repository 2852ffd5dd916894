// Package guestbuild builds the example WebAssembly guests for tests and for
// `go generate`.
//
// The C guests (examples/hello/guest/hello.c and examples/wasi/guest/wasi.c)
// are compiled with clang and wasi-libc into WASI commands. Their build
// outputs are committed next to the sources so that hosts can be tested on a
// machine without clang; TestCommittedGuestsMatchSource rebuilds them and
// checks the committed bytes are what the sources produce. To refresh the
// committed files after editing a C guest, run from the module root:
//
//	go generate ./examples/...
//
// The Go guests (examples/hello/goguest and examples/wasi/goguest, built with
// GOOS=wasip1 GOARCH=wasm) are not committed: tests build them with BuildGo.
//
// The C build is reproducible: it depends only on the source files and the
// toolchain, not on the directory it runs in (no -g, debug sections stripped,
// sources named by relative paths). It needs Debian's clang 14 with lld,
// wasi-libc and libclang-rt-14-dev-wasm32; see ClangAvailable.
package guestbuild

//go:generate go run ./cmd/buildguests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// CGuest names a C guest: the source Dir/Name.c (plus any headers in Dir) is
// built into the committed WebAssembly module Dir/Name.wasm.
type CGuest struct {
	// Dir is the source directory, relative to the module root, in
	// slash-separated form.
	Dir string
	// Name is the file name without extension: Name.c builds Name.wasm.
	Name string
}

// Source returns the path of the C source relative to the module root.
func (g CGuest) Source() string { return filepath.FromSlash(g.Dir + "/" + g.Name + ".c") }

// Wasm returns the path of the committed module relative to the module root.
func (g CGuest) Wasm() string { return filepath.FromSlash(g.Dir + "/" + g.Name + ".wasm") }

// CGuests lists every C guest whose build output is committed.
var CGuests = []CGuest{
	{Dir: "examples/hello/guest", Name: "hello"},
	{Dir: "examples/wasi/guest", Name: "wasi"},
}

// GoGuests lists the Go guest packages (GOOS=wasip1 GOARCH=wasm), relative to
// the module root. They are built at test time, never committed.
var GoGuests = []string{
	"examples/hello/goguest",
	"examples/wasi/goguest",
}

// Sysroot is the wasi-libc sysroot of Debian's wasi-libc package: headers in
// Sysroot/include/wasm32-wasi, libraries in Sysroot/lib/wasm32-wasi.
const Sysroot = "/usr"

// ClangVersion is the first line of `clang --version` of the compiler that
// built the committed C guests (Debian 12's clang-14 1:14.0.6-12, with
// wasi-libc 0.0~git20220510.9886d3d-2). Another compiler or wasi-libc may
// emit other bytes.
const ClangVersion = "Debian clang version 14.0.6"

// ClangFlags are the exact flags, before the output and source arguments,
// used to build every committed C guest. The build runs in the guest's source
// directory with the source named by its base name, so no absolute path can
// reach the output; -Wl,--strip-debug drops the DWARF sections that
// wasi-libc's archive members carry (they name the library's build paths)
// while keeping the "name" section for readable stack traces.
var ClangFlags = []string{
	"--target=wasm32-wasi",
	"--sysroot=" + Sysroot,
	"-O2",
	"-std=gnu17",
	"-Wall",
	"-Wextra",
	"-Werror",
	"-Wl,--strip-debug",
}

// ClangArgs returns the clang arguments that compile name.c (in the current
// directory) into out.
func ClangArgs(name, out string) []string {
	args := append([]string(nil), ClangFlags...)
	return append(args, "-o", out, name+".c")
}

// CommandLine returns the clang command line for g as a shell would show it,
// run in g.Dir and writing g.Name.wasm.
func CommandLine(g CGuest) string {
	return "clang " + strings.Join(ClangArgs(g.Name, g.Name+".wasm"), " ")
}

// RequireClangEnv is the environment variable that, when set to 1, turns a
// missing C toolchain from a skipped test into a failed one.
const RequireClangEnv = "GUESTKIT_REQUIRE_CLANG"

// ClangAvailable reports whether the C toolchain the committed guests were
// built with is installed: clang and wasm-ld on PATH, wasi-libc's headers and
// libraries under Sysroot, and the wasm32 compiler-rt builtins archive. It
// does not compare versions; see ClangVersionLine.
func ClangAvailable() error {
	var missing []string
	for _, tool := range []string{"clang", "wasm-ld"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool+" (not on PATH)")
		}
	}
	for _, f := range []string{
		filepath.Join(Sysroot, "include", "wasm32-wasi", "stdio.h"),
		filepath.Join(Sysroot, "lib", "wasm32-wasi", "libc.a"),
		filepath.Join(Sysroot, "lib", "wasm32-wasi", "crt1-command.o"),
	} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f+" (wasi-libc)")
		}
	}
	if len(missing) == 0 {
		out, err := run(context.Background(), "", nil, "clang", "--target=wasm32-wasi", "--sysroot="+Sysroot, "-print-libgcc-file-name")
		lib := strings.TrimSpace(string(out))
		if err != nil {
			missing = append(missing, "clang -print-libgcc-file-name failed: "+err.Error())
		} else if _, err := os.Stat(lib); err != nil {
			missing = append(missing, lib+" (libclang-rt-14-dev-wasm32)")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("C guest toolchain missing: %s; on Debian: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32", strings.Join(missing, ", "))
	}
	return nil
}

// ClangVersionLine returns the first line of `clang --version`.
func ClangVersionLine() (string, error) {
	out, err := run(context.Background(), "", nil, "clang", "--version")
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}

// ModuleRoot returns the directory holding this module's go.mod, found by
// walking up from the current directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if bytes.Contains(data, []byte("module github.com/guestkit/guestkit\n")) {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("guestbuild: go.mod of github.com/guestkit/guestkit not found above the current directory")
		}
		dir = parent
	}
}

// abs resolves p (absolute, or relative to the module root).
func abs(p string) (string, error) {
	if filepath.IsAbs(p) {
		return p, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, filepath.FromSlash(p)), nil
}

// RebuildC compiles dir/name.c with ClangArgs, running clang in dir, into a
// temporary file and returns the module's bytes. dir is absolute or relative
// to the module root.
func RebuildC(dir, name string) ([]byte, error) {
	dir, err := abs(dir)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "guestbuild-c-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, name+".wasm")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if msg, err := run(ctx, dir, nil, "clang", ClangArgs(name, out)...); err != nil {
		return nil, fmt.Errorf("guestbuild: building %s: %v\n%s", filepath.Join(dir, name+".c"), err, msg)
	}
	return os.ReadFile(out)
}

// WriteC rebuilds g and writes the result to its committed path, g.Wasm()
// under root. It reports whether the file changed.
func WriteC(root string, g CGuest) (changed bool, err error) {
	b, err := RebuildC(filepath.Join(root, filepath.FromSlash(g.Dir)), g.Name)
	if err != nil {
		return false, err
	}
	path := filepath.Join(root, g.Wasm())
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return false, nil
	}
	return true, os.WriteFile(path, b, 0o644)
}

type goBuild struct {
	once sync.Once
	wasm []byte
	err  error
}

var goBuilds sync.Map // absolute package dir -> *goBuild

// GoWasm builds the Go package in pkgDir (absolute, or relative to the module
// root) with GOOS=wasip1 GOARCH=wasm and returns the module's bytes. Each
// package is built at most once per process.
func GoWasm(pkgDir string) ([]byte, error) {
	dir, err := abs(pkgDir)
	if err != nil {
		return nil, err
	}
	v, _ := goBuilds.LoadOrStore(dir, new(goBuild))
	b := v.(*goBuild)
	b.once.Do(func() { b.wasm, b.err = buildGo(dir) })
	return b.wasm, b.err
}

func buildGo(dir string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "guestbuild-go-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, filepath.Base(dir)+".wasm")
	env := append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if msg, err := run(ctx, dir, env, "go", "build", "-trimpath", "-o", out, "."); err != nil {
		return nil, fmt.Errorf("guestbuild: GOOS=wasip1 GOARCH=wasm go build in %s: %v\n%s", dir, err, msg)
	}
	return os.ReadFile(out)
}

// BuildGo builds the Go package in pkgDir (absolute, or relative to the module
// root) with GOOS=wasip1 GOARCH=wasm, writes the module into t.TempDir() and
// returns its path. The build itself is cached per process; a failed build
// fails t.
func BuildGo(t testing.TB, pkgDir string) string {
	t.Helper()
	b, err := GoWasm(pkgDir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), filepath.Base(pkgDir)+".wasm")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs name with args in dir (the current directory if empty) and env
// (the process environment if nil), returning combined output.
func run(ctx context.Context, dir string, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	return cmd.CombinedOutput()
}

// SkipNotice prints one line saying that pkg's clang-based checks will
// skip, and why, when problem is not nil: to stderr (shown by go test -v,
// or when the package fails) and to the terminal, if there is one, since
// go test ./... shows nothing else of a package that passes. Packages call
// it from TestMain. Nothing is printed when GUESTKIT_REQUIRE_CLANG=1 (the
// checks fail instead) or when problem is nil.
func SkipNotice(pkg string, problem error) {
	if problem == nil || os.Getenv(RequireClangEnv) == "1" {
		return
	}
	line := fmt.Sprintf("note: %s: clang-based checks skip: %v\n", pkg, problem)
	fmt.Fprint(os.Stderr, line)
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprint(tty, line)
		tty.Close()
	}
}
