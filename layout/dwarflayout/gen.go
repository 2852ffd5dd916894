package dwarflayout

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/guestkit/guestkit/layout"
)

// gen writes Go declarations for C types.
type gen struct {
	g         *Guest
	opts      GodefsOptions
	abi       layout.ABI
	aligns    map[*Type]uint64 // alignments clang measured
	files     map[string]int   // the headers, numbered from 1
	names     map[*Type]string // Go names of named types
	typedefOf map[*Type]*Type  // the typedef that names an anonymous type
	bodies    map[*Type]body   // struct bodies made so far
	taken     map[string]bool  // Go names in use
	done      map[*Type]bool   // declared, or being declared
	queue     []*Type          // named types to declare
	out       strings.Builder
	types     []GoType
	usesPtr   bool
}

// body is a generated struct type.
type body struct {
	body string
	sim  reflect.Type
	err  error
}

// simPtr stands for guestptr.Ptr in the reflect types gen builds to check
// its tags with package layout: only the pointer's width matters.
type simPtr struct{}

// GuestPointer makes simPtr a guest pointer.
func (simPtr) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[byte]()}
}

var blankPkg = reflect.TypeFor[simPtr]().PkgPath()

// named reports whether t gets a Go type of its own: tagged structs,
// unions and enums, the headers' typedefs, and typedefs that name an
// anonymous struct, union or enum.
func (gen *gen) named(t *Type) bool {
	if _, ok := gen.names[t]; ok {
		return true
	}
	switch t.Kind {
	case Struct, Union, Enum:
		return t.Name != ""
	case Typedef:
		if gen.files[filepath.Clean(t.File)] != 0 {
			return true
		}
		e := t.Elem
		return e != nil && (e.Kind == Struct || e.Kind == Union || e.Kind == Enum) && e.Name == ""
	}
	return false
}

// name returns the Go name of a named type, choosing it on first use. A
// typedef of an anonymous struct, union or enum gives it its name.
func (gen *gen) name(t *Type) string {
	if n, ok := gen.names[t]; ok {
		return n
	}
	if td, ok := gen.typedefOf[t]; ok {
		return gen.name(td)
	}
	n := GoName(t.Name, gen.opts.Trim...)
	var anon *Type
	if e := t.Elem; t.Kind == Typedef && e != nil && (e.Kind == Struct || e.Kind == Union || e.Kind == Enum) {
		if e.Name != "" && gen.name(e) == n {
			gen.names[t] = n // typedef struct foo {...} foo: one Go type
			return n
		}
		if _, named := gen.names[e]; e.Name == "" && !named {
			anon = e
		}
	}
	for gen.taken[n] {
		n += "_" + t.Kind.String()
	}
	gen.taken[n] = true
	gen.names[t] = n
	if anon != nil {
		gen.names[anon], gen.typedefOf[anon] = n, t
	}
	return n
}

// declare writes the declaration of the named type t.
func (gen *gen) declare(t *Type) error {
	if gen.done[t] {
		return nil
	}
	if td, ok := gen.typedefOf[t]; ok {
		return gen.declare(td)
	}
	gen.done[t] = true
	name := gen.name(t)
	r := t.Resolve()
	if r == nil || r.Kind == Function || r.Kind == Void {
		return nil // no layout: function types and void
	}
	if r.Declaration {
		return nil // only declared: pointers to it become Ptr[byte]
	}
	where := ""
	if t.File != "" {
		where = fmt.Sprintf(" (%s:%d)", filepath.Base(t.File), t.Line)
	}
	cname := t.CName()
	if t.Kind == Typedef {
		e := t.Elem
		switch {
		case e != nil && (e.Kind == Struct || e.Kind == Union || e.Kind == Enum) && e.Name == "" && gen.names[e] == name:
			if gen.done[e] {
				return nil
			}
			gen.done[e] = true
			return gen.declareBody(name, e, cname, where, t)
		case e != nil && e.Kind != Typedef && gen.named(e) && gen.name(e) == name:
			return gen.declare(e) // typedef struct foo {...} foo
		case r.Kind == Pointer || r.Kind == Struct || r.Kind == Union:
			expr, _, err := gen.goType(e, 0)
			if err != nil {
				return fmt.Errorf("typedef %s: %v", t.Name, err)
			}
			gen.doc(name, cname, where, t)
			fmt.Fprintf(&gen.out, "type %s = %s\n\n", name, expr)
			return nil
		}
		expr, _, err := gen.goType(e, 0)
		if err != nil {
			return fmt.Errorf("typedef %s: %v", t.Name, err)
		}
		gen.doc(name, cname, where, t)
		fmt.Fprintf(&gen.out, "type %s %s\n\n", name, expr)
		gen.types = append(gen.types, GoType{name, lookupKey(t)})
		return nil
	}
	return gen.declareBody(name, t, cname, where, t)
}

// doc writes the doc comment of a declaration.
func (gen *gen) doc(name, cname, where string, t *Type) {
	unit := "bytes"
	if t.Size == 1 {
		unit = "byte"
	}
	fmt.Fprintf(&gen.out, "// %s is C's %s%s: %d %s, align %d.\n", name, cname, where, t.Size, unit, gen.alignOf(t))
}

// declareBody declares a struct, union or enum under name; key is the C
// type the name comes from (t, or the typedef naming it).
func (gen *gen) declareBody(name string, t *Type, cname, where string, key *Type) error {
	gen.doc(name, cname, where, key)
	if t.Kind == Enum {
		return gen.enum(name, t, key)
	}
	c, ok := gen.bodies[t]
	if !ok {
		c.body, c.sim, c.err = gen.structBody(t, gen.alignOf(key), 0)
		gen.bodies[t] = c
	}
	if c.err != nil {
		return c.err
	}
	fmt.Fprintf(&gen.out, "type %s %s\n\n", name, c.body)
	gen.types = append(gen.types, GoType{name, lookupKey(key)})
	return nil
}

// enum declares a C enum as a named integer and its enumerators as
// constants.
func (gen *gen) enum(name string, t *Type, key *Type) error {
	expr, err := intType(t.Size, t.Encoding == Signed)
	if err != nil {
		return fmt.Errorf("%s: %v", t.CName(), err)
	}
	fmt.Fprintf(&gen.out, "type %s %s\n\n", name, expr)
	gen.types = append(gen.types, GoType{name, lookupKey(key)})
	if len(t.Enumerators) > 0 {
		fmt.Fprintf(&gen.out, "// The enumerators of %s.\nconst (\n", t.CName())
		for _, e := range t.Enumerators {
			n := GoName(e.Name, gen.opts.Trim...)
			if gen.taken[n] {
				fmt.Fprintf(&gen.out, "\t// %s = %d: its Go name %s is taken\n", e.Name, e.Value, n)
				continue
			}
			gen.taken[n] = true
			fmt.Fprintf(&gen.out, "\t%s %s = %d\n", n, name, e.Value)
		}
		gen.out.WriteString(")\n\n")
	}
	if gen.opts.EnumCases {
		seen := map[int64]bool{}
		for _, e := range t.Enumerators {
			seen[e.Value] = true
		}
		n := int64(len(seen))
		for v := range n {
			if !seen[v] {
				return fmt.Errorf("%s: -enum-cases needs enumerators 0..n-1, and %d is missing", t.CName(), v)
			}
		}
		if t.Encoding == Signed {
			return fmt.Errorf("%s: -enum-cases needs an unsigned enum, and this one is signed", t.CName())
		}
		fmt.Fprintf(&gen.out, "// GuestEnumCases makes %s a guest enum of %d cases: a read of any other value fails.\nfunc (%s) GuestEnumCases() uint64 { return %d }\n\n", name, n, name, n)
	}
	return nil
}

// alignOf returns the C alignment of t: clang's measurement for named
// types, else what DWARF shows.
func (gen *gen) alignOf(t *Type) uint64 {
	return gen.alignDepth(t, 0)
}

func (gen *gen) alignDepth(t *Type, depth int) uint64 {
	for i := 0; t != nil && i < 64; i++ {
		if a, ok := gen.aligns[t]; ok {
			return a
		}
		if t.Kind != Typedef && t.Kind != Array {
			break
		}
		t = t.Elem // an array is aligned as its element
	}
	if t == nil || depth > 32 || (t.Kind != Struct && t.Kind != Union) {
		return t.Align()
	}
	// An anonymous struct or union: its members' measured alignments, and
	// packed if they do not fit them.
	natural, explicit, misplaced := max(1, t.ExplicitAlign), max(1, t.ExplicitAlign), false
	for _, m := range t.Members {
		ma := max(gen.alignDepth(m.Type, depth+1), m.ExplicitAlign)
		natural, explicit = max(natural, ma), max(explicit, m.ExplicitAlign)
		misplaced = misplaced || (m.BitSize == 0 && m.Offset%ma != 0)
	}
	a := natural
	if misplaced || t.Size%natural != 0 {
		a = explicit
	}
	gen.aligns[t] = a
	return a
}

func intType(size uint64, signed bool) (string, error) {
	switch size {
	case 1, 2, 4, 8:
		if signed {
			return fmt.Sprintf("int%d", 8*size), nil
		}
		return fmt.Sprintf("uint%d", 8*size), nil
	}
	return "", fmt.Errorf("no Go integer of %d bytes", size)
}

var simInts = map[string]reflect.Type{
	"int8": reflect.TypeFor[int8](), "int16": reflect.TypeFor[int16](), "int32": reflect.TypeFor[int32](), "int64": reflect.TypeFor[int64](),
	"uint8": reflect.TypeFor[uint8](), "uint16": reflect.TypeFor[uint16](), "uint32": reflect.TypeFor[uint32](), "uint64": reflect.TypeFor[uint64](),
	"float32": reflect.TypeFor[float32](), "float64": reflect.TypeFor[float64](), "bool": reflect.TypeFor[bool](),
}

// goType returns the Go type expression of a C type, and a reflect type
// of the same layout.
func (gen *gen) goType(t *Type, depth int) (string, reflect.Type, error) {
	if depth > 32 {
		return "", nil, fmt.Errorf("types nest too deeply")
	}
	if t == nil {
		return "", nil, fmt.Errorf("a void member")
	}
	switch t.Kind {
	case Typedef:
		if gen.named(t) {
			_, sim, err := gen.goType(t.Elem, depth+1)
			return gen.ref(t), sim, err
		}
		return gen.goType(t.Elem, depth+1)
	case Struct, Union:
		if t.Declaration {
			return "", nil, fmt.Errorf("%s is incomplete", t.CName())
		}
		c, ok := gen.bodies[t]
		if !ok {
			c.body, c.sim, c.err = gen.structBody(t, gen.alignOf(t), depth+1)
			gen.bodies[t] = c
		}
		body, sim, err := c.body, c.sim, c.err
		if err != nil || !gen.named(t) {
			return body, sim, err
		}
		return gen.ref(t), sim, nil
	case Enum:
		expr, err := intType(t.Size, t.Encoding == Signed)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %v", t.CName(), err)
		}
		if gen.named(t) {
			return gen.ref(t), simInts[expr], nil
		}
		return expr, simInts[expr], nil
	case Base:
		return baseType(t)
	case Pointer:
		gen.usesPtr = true
		pointee := "byte"
		if e := t.Elem; e != nil && e.Kind != Function && e.Kind != Void {
			if r := e.Resolve(); r != nil && !r.Declaration && r.Kind != Function && r.Kind != Void {
				if expr, _, err := gen.goType(e, depth+1); err == nil {
					pointee = expr
				}
			}
		}
		return "guestptr.Ptr[" + pointee + "]", reflect.TypeFor[simPtr](), nil
	case Array:
		expr, sim, err := gen.goType(t.Elem, depth+1)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf("[%d]%s", t.Count, expr), reflect.ArrayOf(int(t.Count), sim), nil
	}
	return "", nil, fmt.Errorf("C %s has no guest layout", t.CName())
}

// ref returns the Go name of a named type and queues its declaration.
func (gen *gen) ref(t *Type) string {
	if !gen.done[t] {
		gen.queue = append(gen.queue, t)
	}
	return gen.name(t)
}

// baseType maps a C base type to Go.
func baseType(t *Type) (string, reflect.Type, error) {
	switch {
	case t.Encoding == Bool && t.Size == 1:
		return "bool", simInts["bool"], nil
	case t.Encoding == Float && (t.Size == 4 || t.Size == 8):
		return fmt.Sprintf("float%d", 8*t.Size), simInts[fmt.Sprintf("float%d", 8*t.Size)], nil
	case t.Size == 16:
		// long double and __int128: 16 bytes, aligned to 16.
		const expr = "struct {\n_ struct{} `guest:\",align=16\"`\nLo, Hi uint64\n}"
		sim := reflect.StructOf([]reflect.StructField{
			{Name: "_", PkgPath: blankPkg, Type: reflect.TypeFor[struct{}](), Tag: `guest:",align=16"`},
			{Name: "Lo", Type: reflect.TypeFor[uint64]()}, {Name: "Hi", Type: reflect.TypeFor[uint64]()}})
		return expr, sim, nil
	case t.Encoding != Float:
		expr, err := intType(t.Size, t.Encoding == Signed)
		if err != nil {
			return "", nil, fmt.Errorf("C %s: %v", t.Name, err)
		}
		return expr, simInts[expr], nil
	}
	return "", nil, fmt.Errorf("C %s (a %d-byte float) has no Go type", t.Name, t.Size)
}
