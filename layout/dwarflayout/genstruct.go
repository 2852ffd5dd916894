package dwarflayout

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/guestkit/guestkit/layout"
)

// genField is a Go field being generated for a C member.
type genField struct {
	name, expr, comment string
	sim                 reflect.Type
	cOff, cSize         uint64 // where C puts the member
	align               uint64 // align=N, 0 for none
	offset              bool   // offset=cOff
	blank               bool   // trailing padding: _ [cSize]byte
}

// structOpts are the struct-level guest options.
type structOpts struct {
	union, packed bool
	align         uint64
}

// structBody returns the Go struct type of a C struct or union whose
// alignment is align, with the options and tags that reproduce clang's
// offsets, size and alignment exactly.
func (gen *gen) structBody(t *Type, align uint64, depth int) (string, reflect.Type, error) {
	var fields []genField
	seen := map[string]bool{}
	anon := 0
	for _, m := range t.Members {
		if m.BitSize > 0 {
			return "", nil, fmt.Errorf("%s%s: member %q is a bit-field (%d bits): guest tags have no bit-fields; declare its storage unit as an integer field by hand", t.CName(), at(t), m.Name, m.BitSize)
		}
		name := GoName(m.Name)
		if m.Name == "" {
			name = fmt.Sprintf("Anon%d", anon)
			anon++
		}
		for seen[name] {
			name += "_"
		}
		seen[name] = true
		expr, sim, err := gen.goType(m.Type, depth+1)
		if err != nil {
			return "", nil, fmt.Errorf("%s, member %s: %v", t.CName(), m.Name, err)
		}
		f := genField{name: name, expr: expr, sim: sim, cOff: m.Offset, cSize: m.Type.Size, comment: m.Name}
		gl, err := layout.Of(sim, gen.abi)
		if err != nil {
			return "", nil, fmt.Errorf("%s, member %s: %v", t.CName(), m.Name, err)
		}
		if want := max(m.ExplicitAlign, gen.alignOf(m.Type)); want > gl.Align {
			f.align = want
		}
		fields = append(fields, f)
	}
	opts, fields, sim, err := gen.fit(t, align, fields)
	if err != nil {
		return "", nil, err
	}
	return structExpr(opts, fields), sim, nil
}

func at(t *Type) string {
	if t.File == "" {
		return ""
	}
	return fmt.Sprintf(" (%s:%d)", t.File, t.Line)
}

// fit finds the options and tags under which package layout gives the
// fields clang's offsets, the struct its size and alignment: plain C
// rules first, then packed, raising the alignment and placing fields with
// offset=N where needed.
func (gen *gen) fit(t *Type, align uint64, fields []genField) (structOpts, []genField, reflect.Type, error) {
	var last error
	for _, packed := range []bool{false, true} {
		opts := structOpts{union: t.Kind == Union, packed: packed}
		fs := append([]genField(nil), fields...)
		for range len(fs) + 3 {
			sim, err := simStruct(opts, fs)
			if err != nil {
				return opts, nil, nil, fmt.Errorf("%s: %v", t.CName(), err)
			}
			l, err := layout.Of(sim, gen.abi)
			if err != nil {
				last = err
				break
			}
			bad := -1
			var end uint64
			for i, f := range l.Fields {
				if bad < 0 && f.Offset != fs[i].cOff {
					bad = i
				}
				end = max(end, f.Offset+f.Layout.Size)
			}
			switch {
			case bad >= 0 && !opts.union && !fs[bad].offset && l.Fields[bad].Offset < fs[bad].cOff:
				fs[bad].offset = true
				continue
			case bad >= 0:
				last = fmt.Errorf("field %s at %d, clang puts it at %d", fs[bad].name, l.Fields[bad].Offset, fs[bad].cOff)
			case l.Align < align:
				opts.align = align
				continue
			case l.Size < t.Size && end < t.Size && !opts.union && (len(fs) == 0 || !fs[len(fs)-1].blank):
				fs = append(fs, genField{name: "_", expr: fmt.Sprintf("[%d]byte", t.Size-end), sim: reflect.ArrayOf(int(t.Size-end), reflect.TypeFor[byte]()), cOff: end, cSize: t.Size - end, blank: true, comment: "trailing padding"})
				continue
			case l.Size != t.Size || l.Align != align:
				last = fmt.Errorf("size %d align %d, clang says size %d align %d", l.Size, l.Align, t.Size, align)
			default:
				return opts, fs, sim, nil
			}
			break
		}
	}
	return structOpts{}, nil, nil, fmt.Errorf("%s%s: no guest tags give clang's layout: %v", t.CName(), at(t), last)
}

// tag returns a field's `guest` tag, or "".
func (f genField) tag() string {
	var opts []string
	if f.align > 0 {
		opts = append(opts, fmt.Sprintf("align=%d", f.align))
	}
	if f.offset {
		opts = append(opts, fmt.Sprintf("offset=%d", f.cOff))
	}
	if len(opts) == 0 {
		return ""
	}
	return `guest:",` + strings.Join(opts, ",") + `"`
}

// marks returns the struct-level options as a tag, or "".
func (o structOpts) marks() string {
	var opts []string
	if o.union {
		opts = append(opts, "union")
	}
	if o.packed {
		opts = append(opts, "packed")
	}
	if o.align > 0 {
		opts = append(opts, fmt.Sprintf("align=%d", o.align))
	}
	if len(opts) == 0 {
		return ""
	}
	return `guest:",` + strings.Join(opts, ",") + `"`
}

// simStruct builds a reflect type with the fields and options, for
// package layout to place.
func simStruct(opts structOpts, fields []genField) (t reflect.Type, err error) {
	defer func() {
		if r := recover(); r != nil { // reflect.StructOf refuses huge types
			t, err = nil, fmt.Errorf("no Go struct can hold it: %v", r)
		}
	}()
	var sfs []reflect.StructField
	if m := opts.marks(); m != "" {
		sfs = append(sfs, reflect.StructField{Name: "_", PkgPath: blankPkg, Type: reflect.TypeFor[struct{}](), Tag: reflect.StructTag(m)})
	}
	for i, f := range fields {
		sf := reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: f.sim, Tag: reflect.StructTag(f.tag())}
		if f.blank {
			sf.Name, sf.PkgPath = "_", blankPkg
		}
		sfs = append(sfs, sf)
	}
	return reflect.StructOf(sfs), nil
}

// structExpr writes the Go struct type.
func structExpr(opts structOpts, fields []genField) string {
	var b strings.Builder
	b.WriteString("struct {\n")
	if m := opts.marks(); m != "" {
		fmt.Fprintf(&b, "_ struct{} `%s`\n", m)
	}
	for _, f := range fields {
		fmt.Fprintf(&b, "%s %s", f.name, f.expr)
		if tag := f.tag(); tag != "" {
			fmt.Fprintf(&b, " `%s`", tag)
		}
		fmt.Fprintf(&b, " // %s, offset %d\n", f.comment, f.cOff)
	}
	b.WriteString("}")
	return b.String()
}
