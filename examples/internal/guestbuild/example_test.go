package guestbuild_test

import (
	"fmt"

	"github.com/guestkit/guestkit/examples/internal/guestbuild"
)

// ExampleCommandLine prints, as shell commands run from the module root, how
// each committed C guest is built: clang in the guest's directory, with the
// fixed flags that make the build reproducible.
func ExampleCommandLine() {
	for _, g := range guestbuild.CGuests {
		fmt.Printf("(cd %s && %s)\n", g.Dir, guestbuild.CommandLine(g))
	}
	// Output:
	// (cd examples/hello/guest && clang --target=wasm32-wasi --sysroot=/usr -O2 -std=gnu17 -Wall -Wextra -Werror -Wl,--strip-debug -o hello.wasm hello.c)
	// (cd examples/wasi/guest && clang --target=wasm32-wasi --sysroot=/usr -O2 -std=gnu17 -Wall -Wextra -Werror -Wl,--strip-debug -o wasi.wasm wasi.c)
}

// ExampleOutsideWASIFunctions checks a module's imports against the WASI
// functions the guestkit host implements: only preview1 functions it
// lacks are reported, not imports from other modules.
func ExampleOutsideWASIFunctions() {
	imports := []guestbuild.Import{
		{Module: "guestkit", Name: "hello"},
		{Module: guestbuild.WASIModule, Name: "fd_write"},
		{Module: guestbuild.WASIModule, Name: "path_open"},
		{Module: guestbuild.WASIModule, Name: "proc_exit"},
		{Module: guestbuild.WASIModule, Name: "sock_accept"},
	}
	for _, i := range guestbuild.OutsideWASIFunctions(imports) {
		fmt.Println(i)
	}
	// Output:
	// wasi_snapshot_preview1.path_open
	// wasi_snapshot_preview1.sock_accept
}
