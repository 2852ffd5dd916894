package guestbuild_test

import (
	"os"
	"testing"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
)

// TestMain says, in one line, when the clang-based checks of this package
// (rebuilding the committed guests) will skip.
func TestMain(m *testing.M) {
	guestbuild.SkipNotice("examples/internal/guestbuild", guestbuild.ClangAvailable())
	os.Exit(m.Run())
}
