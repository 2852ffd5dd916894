package dwarflayout_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// TestMain says, in one line, when the clang-based checks of this package
// will skip (some need only clang, the WASI ones wasm-ld, wasi-libc and
// the wasm32 compiler-rt too): go test ./... shows nothing else of a
// package that passes, so the line goes to the terminal too, when there is
// one. With GUESTKIT_REQUIRE_CLANG=1 the checks fail instead, and nothing
// is printed.
func TestMain(m *testing.M) {
	if err := toolchainProblem(); err != nil && os.Getenv("GUESTKIT_REQUIRE_CLANG") != "1" {
		line := fmt.Sprintf("note: layout/dwarflayout: clang-based checks skip: %v\n", err)
		fmt.Fprint(os.Stderr, line)
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			fmt.Fprint(tty, line)
			tty.Close()
		}
	}
	os.Exit(m.Run())
}

// toolchainProblem is what requireClang(t, true) would skip for.
func toolchainProblem() error {
	var cc dwarflayout.Compiler
	if err := cc.Available(); err != nil {
		return err
	}
	if _, err := exec.LookPath("wasm-ld"); err != nil {
		return fmt.Errorf("wasm-ld not found: %s", dwarflayout.InstallHint)
	}
	if _, err := os.Stat(filepath.Join(dwarflayout.WASISysroot, "lib", "wasm32-wasi", "libc.a")); err != nil {
		return fmt.Errorf("wasi-libc not found: %s", dwarflayout.InstallHint)
	}
	out, err := exec.Command("clang", "--target=wasm32-wasi", "--sysroot="+dwarflayout.WASISysroot, "-print-libgcc-file-name").Output()
	if err != nil {
		return fmt.Errorf("clang -print-libgcc-file-name: %v", err)
	}
	if _, err := os.Stat(strings.TrimSpace(string(out))); err != nil {
		return fmt.Errorf("%s missing (libclang-rt-14-dev-wasm32): %s", strings.TrimSpace(string(out)), dwarflayout.InstallHint)
	}
	return nil
}
