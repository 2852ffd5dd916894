package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/guestkit/guestkit/layout/dwarflayout"
)

// withTypes runs check, cheader or show: on the guest's DWARF alone for
// show -wasm, else through a program built with the package's types.
func withTypes(cmd string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("guestlayout "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	wasm := fs.String("wasm", "", "the guest module, built with clang -g")
	pkg := fs.String("go", "", "the Go package of the guest types (./pkg)")
	names := fs.String("map", "", "Go=C name pairs, comma-separated")
	trim := fs.String("trim", "", "prefixes cut from C names, comma-separated")
	only := fs.String("types", "", "only these Go types, comma-separated")
	verbose := fs.Bool("v", false, "print every table")
	out := fs.String("o", "", "output file (cheader)")
	target := fs.String("target", "wasm32", "the ABI for show -go: wasm32 or wasm64")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rest := fs.Args()
	if cmd == "cheader" && *pkg == "" && len(rest) > 0 {
		*pkg, rest = rest[0], rest[1:]
	}
	if cmd == "show" && *pkg == "" {
		if *wasm == "" || len(rest) != 1 {
			fmt.Fprintln(stderr, "guestlayout show: want -wasm GUEST.wasm TYPE or -go ./pkg TYPE")
			return 2
		}
		return showC(*wasm, rest[0], dwarflayout.Options{Trim: splitList(*trim)}, stdout, stderr)
	}
	if *pkg == "" {
		fmt.Fprintf(stderr, "guestlayout %s: name the Go package (-go ./pkg)\n", cmd)
		return 2
	}
	fwd := []string{cmd}
	for _, f := range []struct {
		name, val string
		path      bool
	}{{"wasm", *wasm, true}, {"map", *names, false}, {"trim", *trim, false}, {"types", *only, false}, {"o", *out, true}, {"target", *target, false}} {
		if f.val == "" {
			continue
		}
		v := f.val
		if f.path {
			abs, err := filepath.Abs(v)
			if err != nil {
				fmt.Fprintf(stderr, "guestlayout %s: -%s %s: %v\n", cmd, f.name, v, err)
				return 2
			}
			v = abs
		}
		fwd = append(fwd, "-"+f.name, v)
	}
	if *verbose {
		fwd = append(fwd, "-v")
	}
	return runInPackage(*pkg, append(fwd, rest...), stdout, stderr)
}

// showC prints the table of a C type of the guest, named as C names it
// ("struct point", a typedef) or as Go would.
func showC(wasm, name string, opts dwarflayout.Options, stdout, stderr io.Writer) int {
	g, err := dwarflayout.Open(wasm)
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout show: %v\n", err)
		return 1
	}
	for _, n := range []string{name, "struct " + name, "union " + name, "enum " + name} {
		if t, err := g.Lookup(n); err == nil {
			fmt.Fprint(stdout, t)
			return 0
		}
	}
	t, err := g.Match(name, opts)
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout show: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, t)
	return 0
}

// goPackage is what go list says of a package.
type goPackage struct {
	ImportPath, Name, Dir string
	GoFiles               []string
}

// runInPackage builds a program that calls dwarflayout.Run with the
// exported types of the package pattern names, and runs it with args.
// The program's source is laid over the package's module with
// go build -overlay: nothing is written into the module.
func runInPackage(pattern string, args []string, stdout, stderr io.Writer) int {
	pkg, err := listPackage(pattern)
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout: %v\n", err)
		return 1
	}
	names, err := exportedTypes(pkg)
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout: %v\n", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "guestlayout-run-")
	if err != nil {
		fmt.Fprintf(stderr, "guestlayout: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	src, file, target := runnerSource(pkg, names)
	if err := os.WriteFile(filepath.Join(tmp, "runner.go"), src, 0o644); err != nil {
		fmt.Fprintf(stderr, "guestlayout: %v\n", err)
		return 1
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{file: filepath.Join(tmp, "runner.go")}})
	if err := os.WriteFile(filepath.Join(tmp, "overlay.json"), overlay, 0o644); err != nil {
		fmt.Fprintf(stderr, "guestlayout: %v\n", err)
		return 1
	}
	bin := filepath.Join(tmp, "guestlayout-types")
	build := exec.Command("go", "build", "-overlay", filepath.Join(tmp, "overlay.json"), "-o", bin, target)
	build.Dir = pkg.Dir
	if msg, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(stderr, "guestlayout: building a program with the types of %s (does its module require a guestkit with layout/dwarflayout?): %v\n%s", pkg.ImportPath, err, msg)
		return 1
	}
	prog := exec.Command(bin, args...)
	prog.Env = append(os.Environ(), "GUESTLAYOUT_RUN=1")
	prog.Stdout, prog.Stderr = stdout, stderr
	if err := prog.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(stderr, "guestlayout: %v\n", err)
		return 1
	}
	return 0
}

func listPackage(pattern string) (*goPackage, error) {
	cmd := exec.Command("go", "list", "-json", pattern)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", pattern, err, errb.String())
	}
	var p goPackage
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		return nil, fmt.Errorf("go list %s: %v (one package, please)", pattern, err)
	}
	return &p, nil
}

// exportedTypes lists the package's exported, non-generic defined types
// that may have a guest layout: structs, arrays and named scalars.
func exportedTypes(p *goPackage) ([]string, error) {
	fset := token.NewFileSet()
	var names []string
	for _, f := range p.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(p.Dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				if !ts.Name.IsExported() || ts.TypeParams != nil || ts.Assign.IsValid() {
					continue
				}
				switch t := ts.Type.(type) {
				case *ast.StructType, *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
				case *ast.ArrayType:
					if t.Len == nil {
						continue // a slice
					}
				default:
					continue
				}
				names = append(names, ts.Name.Name)
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("package %s has no exported struct, array or named scalar types", p.ImportPath)
	}
	return names, nil
}

// runnerSource returns the runner program, the path it takes in the
// overlay, and what to build: for a main package, a file of the package
// whose init runs dwarflayout.Run when GUESTLAYOUT_RUN=1; for any other,
// a main package in a directory under it that imports it.
func runnerSource(p *goPackage, names []string) (src []byte, file, target string) {
	var b strings.Builder
	qual := "pkg."
	if p.Name == "main" {
		qual = ""
	}
	b.WriteString("// Code generated by guestlayout; DO NOT EDIT.\n\n")
	if p.Name == "main" {
		b.WriteString("package main\n\nimport (\n\t\"os\"\n\t\"reflect\"\n\n\tguestlayout_dwarflayout \"github.com/guestkit/guestkit/layout/dwarflayout\"\n)\n\n")
		b.WriteString("func init() {\n\tif os.Getenv(\"GUESTLAYOUT_RUN\") != \"1\" {\n\t\treturn\n\t}\n")
	} else {
		fmt.Fprintf(&b, "package main\n\nimport (\n\t\"os\"\n\t\"reflect\"\n\n\tguestlayout_dwarflayout \"github.com/guestkit/guestkit/layout/dwarflayout\"\n\tpkg %q\n)\n\nfunc main() {\n", p.ImportPath)
	}
	b.WriteString("\tos.Exit(guestlayout_dwarflayout.Run(os.Args[1:], []reflect.Type{\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t\treflect.TypeFor[%s%s](),\n", qual, n)
	}
	b.WriteString("\t}, os.Stdout, os.Stderr))\n}\n")
	if p.Name == "main" {
		return []byte(b.String()), filepath.Join(p.Dir, "zz_guestlayout_run.go"), "."
	}
	dir := filepath.Join(p.Dir, "zz_guestlayout_run")
	return []byte(b.String()), filepath.Join(dir, "main.go"), "./zz_guestlayout_run"
}
