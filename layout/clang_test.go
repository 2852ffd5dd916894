package layout_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/layout"
)

// The differential test: random Go types with guest tags are laid out by
// package layout, and the same types written in C must give clang the same
// sizes, alignments and offsets, on wasm32 and on wasm64.

const (
	clangTopTypes = 400 // random top-level types per run
	clangMaxDepth = 3   // nesting below a top-level type
)

// cPrelude names the C scalars after the guest types. A span is the C
// struct { pointer; size_t } and a pointer is `uint32_t *`.
const cPrelude = `typedef unsigned char u8; typedef signed char i8;
typedef unsigned short u16; typedef short i16;
typedef unsigned int u32; typedef int i32;
typedef unsigned long long u64; typedef long long i64;
typedef float f32; typedef double f64; typedef _Bool b8;
typedef u32 *P; typedef struct { void *p; __SIZE_TYPE__ n; } S;
typedef struct {} E;
#define OFF(T, m) __builtin_offsetof(T, m)
`

// cLeaf is a leaf Go type with its C name; typ is the guest TYPE to put
// in the field's tag ("" for none).
type cLeaf struct {
	goType reflect.Type
	typ    string
	c      string
}

var (
	cScalars = []cLeaf{
		{reflect.TypeFor[uint8](), "", "u8"}, {reflect.TypeFor[int8](), "", "i8"},
		{reflect.TypeFor[uint16](), "", "u16"}, {reflect.TypeFor[int16](), "", "i16"},
		{reflect.TypeFor[uint32](), "", "u32"}, {reflect.TypeFor[int32](), "", "i32"},
		{reflect.TypeFor[uint64](), "", "u64"}, {reflect.TypeFor[int64](), "", "i64"},
		{reflect.TypeFor[float32](), "", "f32"}, {reflect.TypeFor[float64](), "", "f64"},
		{reflect.TypeFor[bool](), "", "b8"},
		{reflect.TypeFor[wasiFiletype](), "", "u8"}, {reflect.TypeFor[wasiErrno](), "", "u16"},
		{reflect.TypeFor[wasiClockid](), "", "u32"}, {reflect.TypeFor[wasiRights](), "", "u64"},
		{reflect.TypeFor[gptr[uint32]](), "", "P"}, {reflect.TypeFor[gspan[byte]](), "", "S"},
	}
	cNarrowed = []cLeaf{
		{reflect.TypeFor[int](), "u32", "u32"}, {reflect.TypeFor[int](), "i16", "i16"},
		{reflect.TypeFor[int](), "u8", "u8"}, {reflect.TypeFor[int](), "i64", "i64"},
		{reflect.TypeFor[uint](), "u64", "u64"}, {reflect.TypeFor[uintptr](), "u32", "u32"},
		{reflect.TypeFor[int64](), "i32", "i32"}, {reflect.TypeFor[uint64](), "u16", "u16"},
	}
	cTags = []struct {
		leaf  cLeaf
		limit uint64 // case values are below this
	}{
		{cLeaf{reflect.TypeFor[uint8](), "", "u8"}, 256},
		{cLeaf{reflect.TypeFor[uint16](), "", "u16"}, 1000},
		{cLeaf{reflect.TypeFor[uint32](), "", "u32"}, 1000},
		{cLeaf{reflect.TypeFor[uint64](), "", "u64"}, 1000},
		{cLeaf{reflect.TypeFor[wasiFiletype](), "", "u8"}, 8},
	}
	cFieldAligns  = []uint64{1, 2, 4, 8, 16}
	cStructAligns = []uint64{2, 4, 8, 16, 32}
)

// cGen makes random Go struct types and their C twins.
type cGen struct {
	r     *rand.Rand
	next  int
	decls []string                  // C typedefs, each after what it uses
	names map[reflect.Type]string   // C name of each generated type
	paths map[reflect.Type][]string // C member path of each Go field index
	types []reflect.Type            // generated composite types, in order
}

// cField is one generated field: its Go field and its C member text.
type cField struct {
	sf reflect.StructField
	c  string // C member declaration without the ';'
}

func (g *cGen) name(prefix string) string {
	g.next++
	return fmt.Sprintf("%s%d", prefix, g.next)
}

// define records a new composite type and its C typedef.
func (g *cGen) define(t reflect.Type, c string, decl string, paths []string) {
	if _, ok := g.names[t]; ok {
		return // StructOf gave back a type made before
	}
	g.names[t], g.paths[t] = c, paths
	g.decls = append(g.decls, decl)
	g.types = append(g.types, t)
}

// leaf returns a random field type, its guest TYPE and C type and C array
// suffix. depth is the depth of the struct the field is in.
func (g *cGen) leaf(depth int) (t reflect.Type, typ, c, suffix string) {
	switch n := g.r.IntN(100); {
	case n < 45:
		l := cScalars[g.r.IntN(len(cScalars))]
		return l.goType, "", l.c, ""
	case n < 53:
		l := cNarrowed[g.r.IntN(len(cNarrowed))]
		if g.r.IntN(3) == 0 { // TYPE applies to the elements of an array
			k := 1 + g.r.IntN(4)
			return reflect.ArrayOf(k, l.goType), l.typ, l.c, fmt.Sprintf("[%d]", k)
		}
		return l.goType, l.typ, l.c, ""
	case n < 55:
		return reflect.TypeFor[struct{}](), "", "E", ""
	case n < 70:
		el := cScalars[g.r.IntN(len(cScalars))]
		et, ec := el.goType, el.c
		if depth < clangMaxDepth && g.r.IntN(2) == 0 {
			et = g.compound(depth + 1)
			ec = g.names[et]
		}
		if g.r.IntN(4) == 0 { // an array of arrays
			k := 1 + g.r.IntN(3)
			at := reflect.ArrayOf(k, et)
			an := g.name("A")
			g.define(at, an, fmt.Sprintf("typedef %s %s[%d];", ec, an, k), nil)
			et, ec = at, g.names[at]
		}
		k := 1 + g.r.IntN(4)
		at := reflect.ArrayOf(k, et)
		an := g.name("A")
		g.define(at, an, fmt.Sprintf("typedef %s %s[%d];", ec, an, k), nil)
		return at, "", g.names[at], ""
	default:
		if depth >= clangMaxDepth {
			l := cScalars[g.r.IntN(len(cScalars))]
			return l.goType, "", l.c, ""
		}
		t := g.compound(depth + 1)
		return t, "", g.names[t], ""
	}
}

// field makes a field named name with a random type; opts are guest
// options to add (such as "case=3"), and the field may get align=N.
func (g *cGen) field(depth int, name string, opts ...string) cField {
	t, typ, c, suffix := g.leaf(depth)
	attr := ""
	if g.r.IntN(7) == 0 {
		a := cFieldAligns[g.r.IntN(len(cFieldAligns))]
		opts = append(opts, fmt.Sprintf("align=%d", a))
		attr = fmt.Sprintf(" __attribute__((aligned(%d)))", a)
	}
	sf := reflect.StructField{Name: name, Type: t}
	if typ != "" || len(opts) > 0 {
		sf.Tag = reflect.StructTag(fmt.Sprintf(`guest:"%s"`, strings.Join(append([]string{typ}, opts...), ",")))
	}
	return cField{sf, fmt.Sprintf("%s %s%s%s", c, name, suffix, attr)}
}

func marker(opt string) reflect.StructField {
	return reflect.StructField{Name: "_", PkgPath: "github.com/guestkit/guestkit/layout_test", Type: reflect.TypeFor[struct{}](), Tag: reflect.StructTag(fmt.Sprintf(`guest:",%s"`, opt))}
}

// compound makes a random struct, union or tagged union at depth.
func (g *cGen) compound(depth int) reflect.Type {
	var (
		sfs     []reflect.StructField
		paths   []string
		members []string
		attrs   []string
	)
	add := func(f cField, path string) {
		sfs = append(sfs, f.sf)
		paths = append(paths, path)
		members = append(members, f.c+";")
	}
	addMarker := func(opt, cattr string) {
		sfs = append(sfs, marker(opt))
		paths = append(paths, "")
		attrs = append(attrs, cattr)
	}
	kind := g.r.IntN(10)
	if g.r.IntN(6) == 0 {
		a := cStructAligns[g.r.IntN(len(cStructAligns))]
		addMarker(fmt.Sprintf("align=%d", a), fmt.Sprintf("aligned(%d)", a))
	}
	if g.r.IntN(6) == 0 { // packed structs, unions and tagged unions
		addMarker("packed", "packed")
	}
	keyword, body := "struct", ""
	switch {
	case kind < 6: // a struct, maybe with blank fields
		for i := range 1 + g.r.IntN(6) {
			if g.r.IntN(10) == 0 {
				k, name := 1+g.r.IntN(5), fmt.Sprintf("_b%d", i)
				sfs = append(sfs, reflect.StructField{Name: "_", PkgPath: "github.com/guestkit/guestkit/layout_test", Type: reflect.ArrayOf(k, reflect.TypeFor[byte]())})
				paths = append(paths, name)
				members = append(members, fmt.Sprintf("u8 %s[%d];", name, k))
			}
			name := fmt.Sprintf("F%d", i)
			add(g.field(depth, name), name)
		}
		body = strings.Join(members, " ")
	case kind < 8: // a C union
		addMarker("union", "")
		keyword = "union"
		for i := range 1 + g.r.IntN(4) {
			name := fmt.Sprintf("F%d", i)
			add(g.field(depth, name), name)
		}
		body = strings.Join(members, " ")
	default: // a tagged union: struct { tag; union { cases } u; }
		tag := cTags[g.r.IntN(len(cTags))]
		tagField := cField{reflect.StructField{Name: "F0", Type: tag.leaf.goType, Tag: `guest:",tag"`}, tag.leaf.c + " F0"}
		if g.r.IntN(6) == 0 {
			a := cFieldAligns[g.r.IntN(len(cFieldAligns))]
			tagField.sf.Tag = reflect.StructTag(fmt.Sprintf(`guest:",tag,align=%d"`, a))
			tagField.c += fmt.Sprintf(" __attribute__((aligned(%d)))", a)
		}
		add(tagField, "F0")
		seen := map[uint64]bool{}
		var cases []string
		for i := range 1 + g.r.IntN(min(4, int(tag.limit))) {
			v := g.r.Uint64N(tag.limit)
			for seen[v] {
				v = (v + 1) % tag.limit
			}
			seen[v] = true
			name := fmt.Sprintf("F%d", i+1)
			f := g.field(depth, name, fmt.Sprintf("case=%d", v))
			sfs, paths = append(sfs, f.sf), append(paths, "u."+name)
			cases = append(cases, f.c+";")
		}
		body = fmt.Sprintf("%s union { %s } u;", members[0], strings.Join(cases, " "))
	}
	t := reflect.StructOf(sfs)
	cname := g.name("T")
	attr := ""
	if len(attrs) > 0 && strings.Join(attrs, "") != "" {
		var nonEmpty []string
		for _, a := range attrs {
			if a != "" {
				nonEmpty = append(nonEmpty, a)
			}
		}
		attr = " __attribute__((" + strings.Join(nonEmpty, ", ") + "))"
	}
	g.define(t, cname, fmt.Sprintf("typedef %s%s { %s } %s;", keyword, attr, body, cname), paths)
	return t
}

// cMember is a C member designator and its expected offset.
type cMember struct {
	path string
	off  uint64
}

// members lists every member of l, nested ones and element 1 of arrays
// included, with offsets from the start of the outermost type.
func (g *cGen) members(l *layout.Layout, prefix string, base uint64, out []cMember) []cMember {
	paths := g.paths[l.Type]
	for _, f := range l.Fields {
		out = g.walk(f.Layout, prefix+paths[f.Index], base+f.Offset, out)
	}
	return out
}

func (g *cGen) walk(l *layout.Layout, path string, off uint64, out []cMember) []cMember {
	out = append(out, cMember{path, off})
	switch l.Kind {
	case layout.Struct, layout.Union, layout.Variant:
		out = g.members(l, path+".", off, out)
	case layout.Array:
		if l.Len >= 2 {
			out = g.walk(l.Elem, path+"[1]", off+l.Elem.Size, out)
		}
	}
	return out
}

// cFile writes the C assertions of every generated type under abi. It
// returns the file and its number of assertions.
func (g *cGen) cFile(t *testing.T, abi layout.ABI) (string, int) {
	var b strings.Builder
	b.WriteString(cPrelude)
	n := 0
	assert := func(expr string, want uint64, msg string) {
		fmt.Fprintf(&b, "_Static_assert(%s == %d, %q);\n", expr, want, msg)
		n++
	}
	assert("sizeof(P)", abi.PointerSize(), "pointer size")
	assert("sizeof(S)", 2*abi.PointerSize(), "span size")
	for _, d := range g.decls {
		b.WriteString(d + "\n")
	}
	for _, typ := range g.types {
		l := mustOf(t, typ, abi)
		c := g.names[typ]
		assert("sizeof("+c+")", l.Size, c+" size")
		assert("_Alignof("+c+")", l.Align, c+" align")
		if l.Kind == layout.Array {
			continue
		}
		for _, m := range g.members(l, "", 0, nil) {
			assert(fmt.Sprintf("OFF(%s, %s)", c, m.path), m.off, c+" "+m.path)
		}
	}
	return b.String(), n
}

// clang finds clang, or skips the test; with GUESTKIT_REQUIRE_CLANG=1 a
// missing clang fails it.
func clang(t *testing.T) string {
	path, err := exec.LookPath("clang")
	if err != nil {
		if os.Getenv("GUESTKIT_REQUIRE_CLANG") == "1" {
			t.Fatalf("clang not found on PATH and GUESTKIT_REQUIRE_CLANG=1: %v", err)
		}
		t.Skipf("clang not found on PATH (%v): install clang to run the C differential test", err)
	}
	return path
}

// compile runs clang on src for target and returns its error and output.
func compile(t *testing.T, cc, target, src string) ([]byte, error) {
	file := filepath.Join(t.TempDir(), target+".c")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(cc, "--target="+target, "-fsyntax-only", "-std=c11", "-ferror-limit=0", "-Wno-gnu-empty-struct", file)
	return cmd.CombinedOutput()
}

func TestClangDifferential(t *testing.T) {
	cc := clang(t)
	// clang must reject a wrong assertion, or the rest proves nothing.
	canary := cPrelude + "typedef struct __attribute__((packed)) { u8 c; u32 i; } C;\n" +
		"_Static_assert(OFF(C, i) == 1, \"packed\");\n_Static_assert(OFF(C, i) == 4, \"canary\");\n"
	if out, err := compile(t, cc, "wasm32", canary); err == nil || !strings.Contains(string(out), "canary") {
		t.Fatalf("clang accepted a wrong offset (err %v):\n%s", err, out)
	}

	g := &cGen{r: rand.New(rand.NewPCG(20240601, 7)), names: map[reflect.Type]string{}, paths: map[reflect.Type][]string{}}
	for range clangTopTypes {
		g.compound(0)
	}
	kinds := map[layout.Kind]int{}
	for _, typ := range g.types {
		kinds[mustOf(t, typ, layout.Wasm32).Kind]++
	}
	for _, k := range []layout.Kind{layout.Struct, layout.Union, layout.Variant, layout.Array} {
		if kinds[k] < 30 {
			t.Errorf("only %d generated types of kind %v; the generator lost variety", kinds[k], k)
		}
	}
	for _, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
		src, n := g.cFile(t, abi)
		out, err := compile(t, cc, abi.String(), src)
		if err != nil {
			msg := string(out)
			if len(msg) > 8000 {
				msg = msg[:8000] + "\n..."
			}
			t.Errorf("%v: clang disagrees with package layout (%v):\n%s", abi, err, msg)
			continue
		}
		t.Logf("%v: %d types (%d struct, %d union, %d tagged union, %d array), %d assertions checked by clang",
			abi, len(g.types), kinds[layout.Struct], kinds[layout.Union], kinds[layout.Variant], kinds[layout.Array], n)
	}
}
