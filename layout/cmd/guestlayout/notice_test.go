package main

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestMain says, in one line, when the clang-based checks of this package
// will skip: go test ./... shows nothing else of a package that passes, so
// the line goes to the terminal too, when there is one. With
// GUESTKIT_REQUIRE_CLANG=1 the checks fail instead, and nothing is printed.
func TestMain(m *testing.M) {
	if _, err := exec.LookPath("clang"); err != nil && os.Getenv("GUESTKIT_REQUIRE_CLANG") != "1" {
		line := fmt.Sprintf("note: layout/cmd/guestlayout: clang-based checks skip: clang not found; apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32\n")
		fmt.Fprint(os.Stderr, line)
		if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
			fmt.Fprint(tty, line)
			tty.Close()
		}
	}
	os.Exit(m.Run())
}
