package dwarflayout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/guestkit/guestkit/layout"
)

// InstallHint says what to install when clang or wasi-libc is missing.
const InstallHint = "install clang and the WebAssembly C toolchain (Debian/Ubuntu: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32)"

// WASISysroot is where Debian's wasi-libc puts its headers
// (WASISysroot/include/wasm32-wasi) and libraries.
const WASISysroot = "/usr"

// Compiler runs clang for a WebAssembly target.
type Compiler struct {
	// Clang is the clang binary; "" means clang on PATH.
	Clang string
	// Flags are extra flags (-I, -D, --sysroot) for every compilation.
	Flags []string
}

// path returns the clang binary, or an error that says what to install.
func (c Compiler) path() (string, error) {
	name := c.Clang
	if name == "" {
		name = "clang"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found: %s", name, InstallHint)
	}
	return p, nil
}

// Available reports whether clang can be found, with an error that says
// what to install.
func (c Compiler) Available() error {
	_, err := c.path()
	return err
}

// TargetFlags returns the clang flags for abi: wasm32-wasi with Debian's
// wasi-libc sysroot when it is installed (so <wasi/api.h> and libc
// headers resolve), freestanding wasm32 otherwise, and freestanding
// wasm64 (wasi-libc has no wasm64 build).
func TargetFlags(abi layout.ABI) []string {
	if abi == layout.Wasm64 {
		return []string{"--target=wasm64"}
	}
	if _, err := os.Stat(filepath.Join(WASISysroot, "include", "wasm32-wasi")); err == nil {
		return []string{"--target=wasm32-wasi", "--sysroot=" + WASISysroot}
	}
	return []string{"--target=wasm32"}
}

// CompileObject compiles the C source src for abi with debug info into a
// WebAssembly object file and returns its bytes. extra flags follow the
// target's and the compiler's own.
func (c Compiler) CompileObject(abi layout.ABI, src string, extra ...string) ([]byte, error) {
	clang, err := c.path()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "guestlayout-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "unit.c"), filepath.Join(dir, "unit.o")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		return nil, err
	}
	args := append(TargetFlags(abi), "-g", "-c", "-std=gnu17", "-Wno-gnu-empty-struct", "-fno-eliminate-unused-debug-types")
	args = append(append(append(args, c.Flags...), extra...), "-o", out, in)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	msg, err := exec.CommandContext(ctx, clang, args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("clang %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, errors.New("clang wrote an empty object file")
	}
	return b, nil
}

// SyntaxCheck compiles src for abi without output: a C file of
// _Static_asserts passes exactly when every assertion holds.
func (c Compiler) SyntaxCheck(abi layout.ABI, src string) error {
	clang, err := c.path()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "guestlayout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "check.c")
	if err := os.WriteFile(in, []byte(src), 0o644); err != nil {
		return err
	}
	args := append(TargetFlags(abi), "-fsyntax-only", "-std=gnu17", "-Wno-gnu-empty-struct", "-ferror-limit=0")
	args = append(append(args, c.Flags...), in)
	if msg, err := exec.Command(clang, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("clang %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return nil
}
