package dwarflayout_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// cgen writes random C type declarations: structs, unions and tagged
// unions, tagged or typedef'd, packed or aligned, with scalars of every
// width, pointers (to void, to functions, to other types and to
// themselves), arrays of one and two dimensions, enums (packed ones too),
// nested anonymous structs and unions, and C11 anonymous members. The
// same text is valid for wasm32 and wasm64 and lays out differently on
// each (pointers, size_t and long).
type cgen struct {
	r     *rand.Rand
	n     int
	decls []string
	prior []string // complete types usable by value: "T3", "struct S4", "enum E5"
	vars  []string // one variable per top-level type, so a guest uses them all
}

const cgenMaxDepth = 3

var cgenScalars = []string{
	"uint8_t", "int8_t", "uint16_t", "int16_t", "uint32_t", "int32_t", "uint64_t", "int64_t",
	"float", "double", "_Bool", "char", "unsigned char", "size_t", "long", "unsigned long", "short",
}

func newCgen(seed uint64) *cgen {
	return &cgen{r: rand.New(rand.NewPCG(seed, 15))}
}

func (g *cgen) name(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%d", prefix, g.n)
}

// header returns the declarations as a header file.
func (g *cgen) header() string {
	return "#include <stdint.h>\n#include <stddef.h>\n\n" + strings.Join(g.decls, "\n") + "\n"
}

// guest returns a C file that includes the header and defines a
// variable of every top-level type.
func (g *cgen) guest(header string) string {
	return fmt.Sprintf("#include %q\n\n%s\n", header, strings.Join(g.vars, "\n"))
}

// enum declares a random enum and returns its C name.
func (g *cgen) enum() string {
	name := g.name("E")
	attr := ""
	if g.r.IntN(4) == 0 {
		attr = "__attribute__((packed)) " // as small as its values allow
	}
	var cases []string
	for i := range 1 + g.r.IntN(4) {
		v := int64(i)
		switch g.r.IntN(6) {
		case 0:
			v = -int64(g.r.IntN(1000))
		case 1:
			v = int64(g.r.Uint32N(1 << 31))
		case 2:
			v = 200 + int64(i)
		}
		cases = append(cases, fmt.Sprintf("%s_%d = %d", name, i, v))
	}
	g.decls = append(g.decls, fmt.Sprintf("enum %s%s { %s };", attr, name, strings.Join(cases, ", ")))
	g.prior = append(g.prior, "enum "+name)
	return "enum " + name
}

// member returns one member declaration, without the ';'.
func (g *cgen) member(depth int, self string) string {
	name := g.name("f")
	attr := ""
	if g.r.IntN(8) == 0 {
		attr = fmt.Sprintf(" __attribute__((aligned(%d)))", 1<<g.r.IntN(5))
	}
	switch n := g.r.IntN(100); {
	case n < 38:
		return fmt.Sprintf("%s %s%s", cgenScalars[g.r.IntN(len(cgenScalars))], name, attr)
	case n < 40:
		return fmt.Sprintf("long double %s%s", name, attr)
	case n < 50:
		// Each distinct pointee costs the Go compiler a guestptr.Ptr[T]
		// instantiation, so pointers go to few types.
		switch k := g.r.IntN(16); {
		case k < 4:
			return "void *" + name + attr
		case k < 7:
			return fmt.Sprintf("void (*%s)(int)%s", name, attr)
		case k < 8 && self != "":
			return fmt.Sprintf("%s *%s%s", self, name, attr)
		case k < 12 && len(g.prior) > 0:
			return fmt.Sprintf("%s *%s%s", g.prior[g.r.IntN(min(6, len(g.prior)))], name, attr)
		}
		return fmt.Sprintf("%s *%s%s", cgenScalars[g.r.IntN(len(cgenScalars))], name, attr)
	case n < 65:
		elem := cgenScalars[g.r.IntN(len(cgenScalars))]
		if g.r.IntN(2) == 0 {
			elem = g.ref()
		}
		dims := fmt.Sprintf("[%d]", 1+g.r.IntN(4))
		if g.r.IntN(3) == 0 {
			dims += fmt.Sprintf("[%d]", 1+g.r.IntN(3))
		}
		return fmt.Sprintf("%s %s%s%s", elem, name, dims, attr)
	case n < 72 && depth < cgenMaxDepth:
		kw := "struct"
		if g.r.IntN(3) == 0 {
			kw = "union"
		}
		body := g.members(depth+1, 1+g.r.IntN(3), "")
		if g.r.IntN(4) == 0 {
			return fmt.Sprintf("%s { %s }", kw, body) // a C11 anonymous member
		}
		return fmt.Sprintf("%s { %s } %s%s", kw, body, name, attr)
	case n < 77:
		return fmt.Sprintf("%s %s%s", g.enum(), name, attr)
	}
	if depth < cgenMaxDepth && g.r.IntN(2) == 0 {
		return fmt.Sprintf("%s %s%s", g.compound(depth+1), name, attr)
	}
	return fmt.Sprintf("%s %s%s", g.ref(), name, attr)
}

// ref returns a complete type declared before, or a scalar.
func (g *cgen) ref() string {
	if len(g.prior) == 0 {
		return "int32_t"
	}
	return g.prior[g.r.IntN(len(g.prior))]
}

func (g *cgen) members(depth, n int, self string) string {
	var ms []string
	for range n {
		ms = append(ms, g.member(depth, self)+";")
	}
	return strings.Join(ms, " ")
}

// compound declares a random struct, union or tagged union and returns
// its C name.
func (g *cgen) compound(depth int) string {
	var attrs []string
	if g.r.IntN(6) == 0 {
		attrs = append(attrs, "packed")
	}
	if g.r.IntN(6) == 0 {
		attrs = append(attrs, fmt.Sprintf("aligned(%d)", 2<<g.r.IntN(5)))
	}
	attr := ""
	if len(attrs) > 0 {
		attr = " __attribute__((" + strings.Join(attrs, ", ") + "))"
	}
	tagged := g.r.IntN(2) == 0
	name := g.name("T")
	cname, self := name, ""
	kw := "struct"
	if tagged {
		self = "struct " + name
	}
	var body string
	switch k := g.r.IntN(10); {
	case k < 6:
		body = g.members(depth, 1+g.r.IntN(6), self)
	case k < 8:
		kw = "union"
		if tagged {
			self = "union " + name
		}
		body = g.members(depth, 1+g.r.IntN(4), self)
	default: // a tagged union: a tag, then a union of the cases
		tag := []string{"uint8_t", "uint16_t", "uint32_t", "uint64_t"}[g.r.IntN(4)]
		body = fmt.Sprintf("%s tag; union { %s } u;", tag, g.members(depth, 1+g.r.IntN(4), self))
	}
	if tagged {
		cname = kw + " " + name
		g.decls = append(g.decls, fmt.Sprintf("%s%s %s { %s };", kw, attr, name, body))
	} else {
		g.decls = append(g.decls, fmt.Sprintf("typedef %s%s { %s } %s;", kw, attr, body, name))
	}
	g.prior = append(g.prior, cname)
	if depth == 0 {
		g.vars = append(g.vars, fmt.Sprintf("%s v_%s;", cname, name))
	}
	if g.r.IntN(8) == 0 { // a typedef of an array of it
		a := g.name("A")
		g.decls = append(g.decls, fmt.Sprintf("typedef %s %s[%d];", cname, a, 1+g.r.IntN(3)))
		g.prior = append(g.prior, a)
	}
	return cname
}
