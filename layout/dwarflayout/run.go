package dwarflayout

import (
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/guestkit/guestkit/layout"
)

// Run carries out the guestlayout subcommands that need a package's Go
// types: check, cheader and show. The guestlayout command generates a
// small program that imports the package and calls Run with its
// exported types; Run is exported for that program, and for hosts that
// want the command's behaviour in their own tools. It returns the exit
// code: 0 for success, 1 for a mismatch or a failure, 2 for bad usage.
//
//	check -wasm GUEST.wasm [-map Go=C,...] [-trim PREFIX,...] [-types T,...] [-v]
//	cheader [-o FILE] [-types T,...]
//	show [-target wasm32|wasm64] TYPE
func Run(args []string, types []reflect.Type, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "guestlayout: no subcommand (check, cheader or show)")
		return 2
	}
	fs := flag.NewFlagSet("guestlayout "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	wasm := fs.String("wasm", "", "the guest module, built with clang -g")
	names := fs.String("map", "", "Go=C name pairs, comma-separated (Fdstat=__wasi_fdstat_t)")
	trim := fs.String("trim", "", "prefixes cut from C names before matching, comma-separated")
	only := fs.String("types", "", "check only these Go types, comma-separated")
	verbose := fs.Bool("v", false, "print every table and the types without a C counterpart")
	out := fs.String("o", "", "write the header to this file instead of standard output")
	target := fs.String("target", "wasm32", "the ABI: wasm32 or wasm64")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	selected, err := selectTypes(types, *only)
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout %s: %v\n", args[0], err)
		return 2
	}
	switch args[0] {
	case "check":
		if *wasm == "" {
			fmt.Fprintln(stderr, "guestlayout check: -wasm GUEST.wasm is required")
			return 2
		}
		opts := Options{Names: map[string]string{}, Trim: splitList(*trim)}
		for _, pair := range splitList(*names) {
			goName, cName, ok := strings.Cut(pair, "=")
			if !ok {
				fmt.Fprintf(stderr, "guestlayout check: -map %q: want GoName=CName\n", pair)
				return 2
			}
			opts.Names[goName] = cName
		}
		return runCheck(*wasm, selected, opts, *only != "", *verbose, stdout, stderr)
	case "cheader":
		src, err := CHeader(layoutTypes(selected, layout.Wasm32), CHeaderOptions{Command: "guestlayout cheader"})
		if err != nil {
			fmt.Fprintf(stderr, "guestlayout cheader: %v\n", err)
			return 1
		}
		if *out != "" {
			err = os.WriteFile(*out, src, 0o644)
		} else {
			_, err = stdout.Write(src)
		}
		if err != nil {
			fmt.Fprintf(stderr, "guestlayout cheader: %v\n", err)
			return 1
		}
		return 0
	case "show":
		abi := layout.Wasm32
		if *target == "wasm64" {
			abi = layout.Wasm64
		} else if *target != "wasm32" {
			fmt.Fprintf(stderr, "guestlayout show: -target %q: want wasm32 or wasm64\n", *target)
			return 2
		}
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "guestlayout show: name one type")
			return 2
		}
		for _, t := range types {
			if t.Name() == fs.Arg(0) || t.String() == fs.Arg(0) {
				l, err := layout.Of(t, abi)
				if err != nil {
					fmt.Fprintf(stderr, "guestlayout show: %v\n", err)
					return 1
				}
				fmt.Fprint(stdout, l)
				return 0
			}
		}
		fmt.Fprintf(stderr, "guestlayout show: the package has no exported type %s\n", fs.Arg(0))
		return 1
	}
	fmt.Fprintf(stderr, "guestlayout: unknown subcommand %q (check, cheader or show)\n", args[0])
	return 2
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

// selectTypes keeps the types named in only (all when only is empty).
func selectTypes(types []reflect.Type, only string) ([]reflect.Type, error) {
	names := splitList(only)
	if len(names) == 0 {
		return types, nil
	}
	var out []reflect.Type
	for _, n := range names {
		found := false
		for _, t := range types {
			if t.Name() == n {
				out, found = append(out, t), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-types: the package has no exported type %s", n)
		}
	}
	return out, nil
}

// layoutTypes keeps the types that have a guest layout.
func layoutTypes(types []reflect.Type, abi layout.ABI) []reflect.Type {
	var out []reflect.Type
	for _, t := range types {
		if _, err := layout.Of(t, abi); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// runCheck checks types against the guest. Types without a C type of
// their name are skipped unless they were asked for by name.
func runCheck(wasm string, types []reflect.Type, opts Options, strict, verbose bool, stdout, stderr io.Writer) int {
	g, err := Open(wasm)
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout check: %v\n", err)
		return 1
	}
	abi, err := g.ABI()
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout check: %s: %v\n", wasm, err)
		return 1
	}
	var pairs []reflect.Type
	var skipped []string
	for _, t := range types {
		_, merr := g.Match(t.Name(), opts)
		_, lerr := layout.Of(t, abi)
		if !strict && (merr != nil || lerr != nil) {
			skipped = append(skipped, t.Name())
			continue
		}
		pairs = append(pairs, t)
	}
	reports, err := g.Check(pairs, opts)
	code, bad := 0, 0
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout check: %v\n", err)
		code = 1
	}
	for _, r := range reports {
		if !r.OK() {
			bad++
			fmt.Fprintln(stdout, r)
		} else if verbose {
			fmt.Fprintln(stdout, r)
		}
	}
	if verbose && len(skipped) > 0 {
		fmt.Fprintf(stdout, "skipped (no C type of the name, or no guest layout): %s\n", strings.Join(skipped, ", "))
	}
	fmt.Fprintf(stdout, "guestlayout check: %d Go types against %s (%s): %d agree, %d differ, %d skipped\n", len(reports), wasm, abi, len(reports)-bad, bad, len(skipped))
	if bad > 0 || code != 0 {
		return 1
	}
	if len(reports) == 0 {
		fmt.Fprintln(stderr, "guestlayout check: no Go type has a C type of the same name in the guest: use -map Go=C or -trim")
		return 1
	}
	return 0
}
