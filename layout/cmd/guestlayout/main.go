// Command guestlayout takes guest type layouts from the guest's own
// compiler: it checks Go guest types against a guest's DWARF debug info,
// generates Go guest types from C headers, and writes C headers from Go
// guest types.
//
//	guestlayout godefs -target wasm32|wasm64 [-package NAME] [-trim PREFIX,...] [-enum-cases] [-I DIR] [-o FILE] FILE.h...
//	guestlayout check -wasm GUEST.wasm -go ./pkg [-map Go=C,...] [-trim PREFIX,...] [-types T,...] [-v]
//	guestlayout cheader [-o FILE] [-types T,...] ./pkg
//	guestlayout show -wasm GUEST.wasm TYPE
//	guestlayout show -go ./pkg [-target wasm32|wasm64] TYPE
//
// godefs compiles a unit that includes the headers with clang -g and
// turns the DWARF of every struct, union, enum and typedef they define
// into Go declarations with `guest` tags (see package
// github.com/guestkit/guestkit/layout/dwarflayout). check sets each
// exported Go type of the package against the C type of the same name
// (the godefs rule: C's spelling, first letter upper-cased) in the guest's
// DWARF and prints a pahole-style table, Go against guest, for every type
// that differs. cheader writes a C header declaring the package's types
// with _Static_asserts of every size, alignment and offset. show prints
// one type's table.
//
// check, cheader and show -go need the package's Go types at run time:
// guestlayout builds a small program inside the package's module that
// imports the package and calls dwarflayout.Run with its exported types.
// godefs needs clang (Debian: apt-get install clang lld wasi-libc
// libclang-rt-14-dev-wasm32); the guest given to check must be built with
// clang -g.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/layout/dwarflayout"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  guestlayout godefs -target wasm32|wasm64 [-package NAME] [-trim PREFIX,...] [-enum-cases] [-I DIR] [-o FILE] FILE.h...
  guestlayout check -wasm GUEST.wasm -go ./pkg [-map Go=C,...] [-trim PREFIX,...] [-types T,...] [-v]
  guestlayout cheader [-o FILE] [-types T,...] ./pkg
  guestlayout show -wasm GUEST.wasm TYPE
  guestlayout show -go ./pkg [-target wasm32|wasm64] TYPE
`

// run runs the command with args and returns its exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "godefs":
		return godefs(args[1:], stdout, stderr)
	case "check", "cheader", "show":
		return withTypes(args[0], args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "guestlayout: unknown command %q\n%s", args[0], usage)
	return 2
}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func godefs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("guestlayout godefs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "wasm32", "the guest ABI: wasm32 or wasm64")
	pkg := fs.String("package", "guest", "the Go package name")
	trim := fs.String("trim", "", "prefixes cut from C names, comma-separated (-trim __wasi_)")
	enumCases := fs.Bool("enum-cases", false, "give enums of values 0..n-1 a GuestEnumCases method")
	out := fs.String("o", "", "write the Go file here instead of standard output")
	var incs, defs listFlag
	fs.Var(&incs, "I", "an include directory for clang (repeatable)")
	fs.Var(&defs, "D", "a macro definition for clang (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "guestlayout godefs: no header files")
		return 2
	}
	abi, ok := parseTarget(*target)
	if !ok {
		fmt.Fprintf(stderr, "guestlayout godefs: -target %q: want wasm32 or wasm64\n", *target)
		return 2
	}
	var cc dwarflayout.Compiler
	for _, d := range incs {
		abs, err := filepath.Abs(d)
		if err != nil {
			fmt.Fprintf(stderr, "guestlayout godefs: -I %s: %v\n", d, err)
			return 2
		}
		cc.Flags = append(cc.Flags, "-I"+abs)
	}
	for _, d := range defs {
		cc.Flags = append(cc.Flags, "-D"+d)
	}
	if err := cc.Available(); err != nil {
		fmt.Fprintf(stderr, "guestlayout godefs: %v\n", err)
		return 1
	}
	gen, err := dwarflayout.Godefs(fs.Args(), dwarflayout.GodefsOptions{
		ABI: abi, Package: *pkg, Trim: splitList(*trim), EnumCases: *enumCases, Compiler: cc,
		Command: "guestlayout godefs " + strings.Join(args, " "),
	})
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout %v\n", err)
		return 1
	}
	if *out != "" {
		err = os.WriteFile(*out, gen.Source, 0o644)
	} else {
		_, err = stdout.Write(gen.Source)
	}
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout godefs: %v\n", err)
		return 1
	}
	return 0
}

func parseTarget(s string) (layout.ABI, bool) {
	switch s {
	case "wasm32":
		return layout.Wasm32, true
	case "wasm64":
		return layout.Wasm64, true
	}
	return layout.ABI{}, false
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
