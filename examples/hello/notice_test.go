package main

import (
	"os"
	"testing"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
)

// TestMain says, in one line, when the clang-based checks of this package
// (TestLayoutMatchesGuestDWARF) will skip.
func TestMain(m *testing.M) {
	guestbuild.SkipNotice("examples/hello", guestbuild.ClangAvailable())
	os.Exit(m.Run())
}
