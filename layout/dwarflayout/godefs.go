package dwarflayout

import (
	"errors"
	"fmt"
	"go/format"
	"path/filepath"
	"sort"
	"strings"

	"github.com/guestkit/guestkit/layout"
)

// GodefsOptions configures [Godefs].
type GodefsOptions struct {
	// ABI is the target: layout.Wasm32 (the default) or layout.Wasm64.
	ABI layout.ABI
	// Package is the Go package name; "guest" if empty.
	Package string
	// Trim lists prefixes cut from C type and enumerator names before
	// the first letter is upper-cased ("__wasi_" turns __wasi_fdstat_t
	// into Fdstat_t).
	Trim []string
	// EnumCases adds a GuestEnumCases method to every C enum whose
	// values are exactly 0..n-1, so that reads reject other values. C
	// enums may hold any value, so it is off by default.
	EnumCases bool
	// Compiler runs clang.
	Compiler Compiler
	// Command is the command line recorded in the generated file's
	// "Code generated" line.
	Command string
}

// Generated is the output of [Godefs].
type Generated struct {
	// Source is the gofmt'd Go file.
	Source []byte
	// Types lists every Go type declared, in order, with the C type it
	// stands for.
	Types []GoType
}

// GoType is a declared Go type and the C type it stands for.
type GoType struct {
	Name string // the Go name
	C    string // the C name, as Guest.Lookup takes it: "struct point" or a typedef name
}

// Names returns the Go-to-C name map of the generated types, for
// [Options].Names.
func (g *Generated) Names() map[string]string {
	m := map[string]string{}
	for _, t := range g.Types {
		m[t.Name] = t.C
	}
	return m
}

// Godefs compiles a unit including the C headers with clang -g for the
// target and turns the DWARF of every struct, union, enum and typedef the
// headers define into Go declarations with `guest` tags: structs and
// unions with packed, align and offset options where C needs them,
// arrays, guestptr.Ptr[T] for pointers (Ptr[byte] for void * and
// function pointers), and C enums as named integers of the enum's width.
// Bit-fields are refused with an error naming the field.
func Godefs(headers []string, opts GodefsOptions) (*Generated, error) {
	if len(headers) == 0 {
		return nil, errors.New("godefs: no header files given")
	}
	if !opts.ABI.Valid() {
		opts.ABI = layout.Wasm32
	}
	files := map[string]int{}
	var unit strings.Builder
	for _, h := range headers {
		abs, err := filepath.Abs(h)
		if err != nil {
			return nil, err
		}
		if _, dup := files[abs]; !dup {
			files[abs] = len(files) + 1
		}
		fmt.Fprintf(&unit, "#include %q\n", abs)
	}
	obj, err := opts.Compiler.CompileObject(opts.ABI, unit.String())
	if err != nil {
		return nil, fmt.Errorf("godefs: %v", err)
	}
	g, err := Read(obj)
	if err != nil {
		return nil, fmt.Errorf("godefs: reading clang's DWARF: %v", err)
	}
	// A second unit measures every named type's alignment, which DWARF
	// does not record for packed types: char v[_Alignof(T)].
	keys := alignKeys(g, files)
	for i, k := range keys {
		fmt.Fprintf(&unit, "char __guestlayout_align_%d[_Alignof(%s)];\n", i, k)
	}
	if obj, err = opts.Compiler.CompileObject(opts.ABI, unit.String()); err != nil {
		return nil, fmt.Errorf("godefs: measuring alignments: %v", err)
	}
	if g, err = Read(obj); err != nil {
		return nil, fmt.Errorf("godefs: reading clang's DWARF: %v", err)
	}
	aligns := map[*Type]uint64{}
	for i, k := range keys {
		v := g.Var(fmt.Sprintf("__guestlayout_align_%d", i))
		t, err := g.Lookup(k)
		if v == nil || err != nil || v.Kind != Array || v.Count == 0 {
			return nil, fmt.Errorf("godefs: clang gave no alignment for %s", k)
		}
		for _, u := range g.byName[k] {
			aligns[u] = v.Count
			if e := u.Elem; u.Kind == Typedef && e != nil && e.Name == "" {
				aligns[e] = v.Count // the anonymous struct the typedef names
			}
		}
		aligns[t] = v.Count
	}
	return generate(g, files, aligns, opts)
}

// alignKeys lists the C names of the complete named types the headers
// define, as _Alignof takes them.
func alignKeys(g *Guest, files map[string]int) []string {
	var keys []string
	for _, t := range g.named {
		r := t.Resolve()
		if files[filepath.Clean(t.File)] == 0 || r == nil || r.Declaration || r.Kind == Function || r.Kind == Void {
			continue
		}
		if r.Kind == Array && r.Count == 0 {
			continue
		}
		keys = append(keys, lookupKey(t))
	}
	return keys
}

// generate writes the Go declarations of the types of g defined in files.
func generate(g *Guest, files map[string]int, aligns map[*Type]uint64, opts GodefsOptions) (*Generated, error) {
	headerIndex := files
	gen := &gen{g: g, opts: opts, abi: opts.ABI, aligns: aligns, files: files,
		names: map[*Type]string{}, typedefOf: map[*Type]*Type{}, bodies: map[*Type]body{}, taken: map[string]bool{}, done: map[*Type]bool{}}
	if abi, err := g.ABI(); err != nil || abi != opts.ABI {
		return nil, fmt.Errorf("godefs: clang's DWARF has %d-byte pointers, not %s's", g.PointerSize, opts.ABI)
	}
	// Name the types first, so that references resolve in any order.
	for _, t := range g.named {
		if files[filepath.Clean(t.File)] != 0 {
			gen.name(t)
		}
	}
	for _, t := range g.named {
		if files[filepath.Clean(t.File)] != 0 {
			gen.queue = append(gen.queue, t)
		}
	}
	// Declare in the headers' order.
	sort.SliceStable(gen.queue, func(i, j int) bool {
		a, b := gen.queue[i], gen.queue[j]
		if a.File != b.File {
			return headerIndex[a.File] < headerIndex[b.File]
		}
		return a.Line < b.Line
	})
	for len(gen.queue) > 0 {
		t := gen.queue[0]
		gen.queue = gen.queue[1:]
		if err := gen.declare(t); err != nil {
			return nil, fmt.Errorf("godefs: %v", err)
		}
	}
	pkg := opts.Package
	if pkg == "" {
		pkg = "guest"
	}
	var b strings.Builder
	cmd := opts.Command
	if cmd == "" {
		cmd = "guestlayout godefs"
	}
	fmt.Fprintf(&b, "// Code generated by %s; DO NOT EDIT.\n\n", cmd)
	fmt.Fprintf(&b, "// The layouts below are clang's for %s: check them against a guest with\n// guestlayout check, or dwarflayout.CheckWasm in a test.\n\n", opts.ABI)
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	if gen.usesPtr {
		b.WriteString("import \"github.com/guestkit/guestkit/guestptr\"\n\n")
	}
	b.WriteString(gen.out.String())
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return nil, fmt.Errorf("godefs: generated Go does not parse (a bug): %v\n%s", err, b.String())
	}
	return &Generated{Source: src, Types: gen.types}, nil
}
