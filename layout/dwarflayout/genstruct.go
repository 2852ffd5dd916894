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
	explicit            uint64 // the member's DW_AT_alignment, 0 for none
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
		f.explicit = m.ExplicitAlign
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
	// Packed, a member keeps an alignment its own attribute asks for;
	// DWARF shows it but cannot say whether it came from the member or
	// its type, so both readings are tried.
	withAttrs := append([]genField(nil), fields...)
	for i, f := range withAttrs {
		if f.explicit > 1 && f.explicit > f.align {
			withAttrs[i].align = f.explicit
		}
	}
	attempts := []struct {
		packed bool
		fields []genField
	}{{false, fields}, {true, fields}, {true, withAttrs}}
	var last error
	for _, placeByOffset := range []bool{false, true} {
		for _, a := range attempts {
			opts := structOpts{union: t.Kind == Union, packed: a.packed}
			fs, sim, err := gen.try(t, align, &opts, append([]genField(nil), a.fields...), placeByOffset)
			if err == nil {
				return opts, fs, sim, nil
			}
			last = err
		}
	}
	return structOpts{}, nil, nil, fmt.Errorf("%s%s: no guest tags give clang's layout: %v", t.CName(), at(t), last)
}

// try lays out fields under opts with package layout, raising the
// alignment, adding trailing padding and (if placeByOffset) placing
// fields with offset=N until clang's layout results, or fails.
func (gen *gen) try(t *Type, align uint64, opts *structOpts, fs []genField, placeByOffset bool) ([]genField, reflect.Type, error) {
	for range len(fs) + 3 {
		sim, err := simStruct(*opts, fs)
		if err != nil {
			return nil, nil, err
		}
		l, err := layout.Of(sim, gen.abi)
		if err != nil {
			return nil, nil, err
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
		case bad >= 0 && placeByOffset && !opts.union && !fs[bad].offset && l.Fields[bad].Offset < fs[bad].cOff:
			fs[bad].offset = true
		case bad >= 0:
			return nil, nil, fmt.Errorf("field %s at %d, clang puts it at %d", fs[bad].name, l.Fields[bad].Offset, fs[bad].cOff)
		case l.Align < align:
			opts.align = align
		case l.Size < t.Size && end < t.Size && !opts.union && (len(fs) == 0 || !fs[len(fs)-1].blank):
			fs = append(fs, genField{name: "_", expr: fmt.Sprintf("[%d]byte", t.Size-end), sim: reflect.ArrayOf(int(t.Size-end), reflect.TypeFor[byte]()), cOff: end, cSize: t.Size - end, blank: true, comment: "trailing padding"})
		case l.Size != t.Size || l.Align != align:
			return nil, nil, fmt.Errorf("size %d align %d, clang says size %d align %d", l.Size, l.Align, t.Size, align)
		default:
			return fs, sim, nil
		}
	}
	return nil, nil, fmt.Errorf("no fit after %d tries", len(fs)+3)
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
