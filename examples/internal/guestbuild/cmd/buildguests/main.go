// Command buildguests rebuilds the committed C guest modules
// (guestbuild.CGuests) from their sources with guestbuild.ClangArgs. It is
// run by `go generate ./examples/...` and may be run from anywhere inside the
// module:
//
//	go run ./examples/internal/guestbuild/cmd/buildguests
package main

import (
	"fmt"
	"os"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
)

func main() {
	if err := guestbuild.ClangAvailable(); err != nil {
		fmt.Fprintln(os.Stderr, "buildguests:", err)
		os.Exit(1)
	}
	if v, err := guestbuild.ClangVersionLine(); err == nil && v != guestbuild.ClangVersion {
		fmt.Fprintf(os.Stderr, "buildguests: warning: %q is not %q, which built the committed guests\n", v, guestbuild.ClangVersion)
	}
	root, err := guestbuild.ModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "buildguests:", err)
		os.Exit(1)
	}
	for _, g := range guestbuild.CGuests {
		changed, err := guestbuild.WriteC(root, g)
		if err != nil {
			fmt.Fprintln(os.Stderr, "buildguests:", err)
			os.Exit(1)
		}
		state := "unchanged"
		if changed {
			state = "written"
		}
		fmt.Printf("%s: %s (cd %s && %s)\n", g.Wasm(), state, g.Dir, guestbuild.CommandLine(g))
	}
}
