package dwarflayout

import (
	"fmt"

	"github.com/guestkit/guestkit/layout"
)

// Report is a Go type's layout set against the guest's C type, field by
// field.
type Report struct {
	// Go is the Go type's layout under the guest's ABI.
	Go *layout.Layout
	// C is the guest's type.
	C *Type
	// Rows pair each Go field with the C member at its place, in order.
	Rows []Row
	// Mismatches counts the rows with a Problem.
	Mismatches int
}

// Row is one Go field and the C member it stands for. A field or member
// with no counterpart leaves the other side empty.
type Row struct {
	// Depth is the nesting level: 0 for the type itself, 1 for its fields.
	Depth int
	// HasGo and HasC report which sides the row has.
	HasGo, HasC bool
	// GoName, GoOffset, GoSize and GoType describe the Go field, with the
	// offset from the start of the checked type.
	GoName           string
	GoOffset, GoSize uint64
	GoType           string
	// CName, COffset, CSize and CType describe the C member.
	CName          string
	COffset, CSize uint64
	CType          string
	// Problem says how the two differ; "" when they agree.
	Problem string
}

// OK reports whether the Go type and the C type agree.
func (r *Report) OK() bool { return r.Mismatches == 0 }

// Compare sets the layout l of a Go type against the C type c: size,
// alignment, and the offset, size and kind of every field, nested fields
// and the first element of arrays included. Fields are paired with
// members in order; a guestptr.Slice or guestptr.String field stands for
// a pointer member and the length member after it, a tagged union for a
// struct of a tag and a union of the cases, and a zero-size Go field
// (such as an empty case) may have no C member.
func Compare(l *layout.Layout, c *Type) *Report {
	r := &Report{Go: l, C: c}
	r.node(l, l.Type.String(), 0, c, c.CName(), 0, 0)
	// DWARF records no packing: any alignment from the packed one to the
	// natural one that divides the size fits it.
	if lo, hi := c.AlignRange(); l.Align < lo || l.Align > hi || (c.Size%l.Align != 0) {
		want := fmt.Sprint(c.Align())
		if lo != hi {
			want = fmt.Sprintf("%d..%d", lo, hi)
		}
		r.Rows[0].Problem = join(r.Rows[0].Problem, fmt.Sprintf("align %d not %s", l.Align, want))
	}
	for _, row := range r.Rows {
		if row.Problem != "" {
			r.Mismatches++
		}
	}
	return r
}

// class is what sort of value a type holds, for pairing Go and C.
func goClass(l *layout.Layout) string {
	switch l.Kind {
	case layout.Bool, layout.Int, layout.Uint:
		return "integer"
	case layout.Float:
		return "float"
	case layout.Pointer:
		return "pointer"
	case layout.Span:
		return "pointer+length"
	case layout.Array:
		return "array"
	case layout.Union:
		return "union"
	}
	return "struct" // structs and tagged unions
}

func cClass(t *Type) string {
	r := t.Resolve()
	if r == nil {
		return "void"
	}
	switch r.Kind {
	case Base:
		if r.Encoding == Float {
			return "float"
		}
		return "integer"
	case Enum:
		return "integer"
	case Pointer, Array, Struct, Union:
		return r.Kind.String()
	}
	return r.Kind.String()
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// node adds the row of a Go layout and a C type at the same place, then
// the rows of their fields.
func (r *Report) node(gl *layout.Layout, gname string, goff uint64, ct *Type, cname string, coff uint64, depth int) {
	if depth > 32 {
		return
	}
	row := Row{Depth: depth, HasGo: true, HasC: true,
		GoName: gname, GoOffset: goff, GoSize: gl.Size, GoType: gl.GuestType(),
		CName: cname, COffset: coff, CSize: ct.Size, CType: ct.CName()}
	if goff != coff {
		row.Problem = fmt.Sprintf("offset %d != %d", goff, coff)
	}
	if gl.Size != ct.Size {
		row.Problem = join(row.Problem, fmt.Sprintf("size %d != %d", gl.Size, ct.Size))
	}
	gc, cc := goClass(gl), cClass(ct)
	c := ct.Resolve()
	switch {
	case gc == cc:
	case gc == "pointer+length" && cc == "struct" && len(c.Members) == 2:
	case gc == "struct" && gl.Kind == layout.Variant && cc == "struct":
	case (cc == "float" || cc == "integer") && ct.Size == 16 && (gc == "struct" || gc == "array"):
		// long double and __int128, which Go holds as 16 aligned bytes.
		r.Rows = append(r.Rows, row)
		return
	default:
		row.Problem = join(row.Problem, fmt.Sprintf("Go %s, guest %s", gc, cc))
		r.Rows = append(r.Rows, row)
		return
	}
	if gc == "array" && gl.Len != c.Count {
		row.Problem = join(row.Problem, fmt.Sprintf("length %d != %d", gl.Len, c.Count))
	}
	r.Rows = append(r.Rows, row)
	switch {
	case gc == "array":
		if gl.Elem.Kind == layout.Struct || gl.Elem.Kind == layout.Union || gl.Elem.Kind == layout.Variant || gl.Elem.Kind == layout.Array {
			r.node(gl.Elem, gname+"[0]", goff, c.Elem, cname+"[0]", coff, depth+1)
		}
	case gc == "pointer+length":
		r.span(gl, gname, goff, c.Members, coff, depth+1)
	case gl.Kind == layout.Variant:
		r.variant(gl, goff, c, coff, depth+1)
	case gc == "struct" || gc == "union":
		r.fields(gl.Fields, goff, c.Members, coff, depth+1)
	}
}

// fields pairs Go fields with C members in order.
func (r *Report) fields(gfs []layout.Field, goBase uint64, cms []Member, cBase uint64, depth int) {
	i, j := 0, 0
	for i < len(gfs) || j < len(cms) {
		switch {
		case i < len(gfs) && gfs[i].Layout.Size == 0 && (j >= len(cms) || cms[j].Type.Size != 0):
			i++ // an empty Go field, such as struct{} for an empty case
			continue
		case j < len(cms) && cms[j].Type.Size == 0 && (i >= len(gfs) || gfs[i].Layout.Size != 0):
			j++ // a flexible array member or an empty C struct
			continue
		case i >= len(gfs):
			m := cms[j]
			r.Rows = append(r.Rows, Row{Depth: depth, HasC: true, CName: m.Name, COffset: cBase + m.Offset, CSize: m.Type.Size, CType: m.Type.CName(), Problem: "no Go field"})
			j++
			continue
		case j >= len(cms):
			f := gfs[i]
			r.Rows = append(r.Rows, Row{Depth: depth, HasGo: true, GoName: f.Name, GoOffset: goBase + f.Offset, GoSize: f.Layout.Size, GoType: f.Layout.GuestType(), Problem: "no guest member"})
			i++
			continue
		}
		f, m := gfs[i], cms[j]
		switch {
		case m.BitSize > 0:
			r.Rows = append(r.Rows, Row{Depth: depth, HasGo: true, HasC: true, GoName: f.Name, GoOffset: goBase + f.Offset, GoSize: f.Layout.Size, GoType: f.Layout.GuestType(),
				CName: m.Name, COffset: cBase + m.Offset, CSize: m.Type.Size, CType: fmt.Sprintf("%s:%d", m.Type.CName(), m.BitSize), Problem: "a bit-field: guest tags have none"})
		case f.Layout.Kind == layout.Span && cClass(m.Type) == "pointer":
			end := min(j+2, len(cms))
			r.span(f.Layout, f.Name, goBase+f.Offset, cms[j:end], cBase, depth)
			j = end - 1
		default:
			r.node(f.Layout, f.Name, goBase+f.Offset, m.Type, m.Name, cBase+m.Offset, depth)
		}
		i++
		j++
	}
}

// span pairs a Go pointer+length with a pointer member and the length
// member after it.
func (r *Report) span(gl *layout.Layout, gname string, goff uint64, cms []Member, cBase uint64, depth int) {
	p := gl.ABI.PointerSize()
	halves := []struct{ name, class, typ string }{
		{gname + " (pointer)", "pointer", "ptr<" + gl.Pointee.String() + ">"},
		{gname + " (length)", "integer", fmt.Sprintf("u%d", 8*p)},
	}
	for k, h := range halves {
		row := Row{Depth: depth, HasGo: true, GoName: h.name, GoOffset: goff + uint64(k)*p, GoSize: p, GoType: h.typ}
		if k >= len(cms) {
			row.Problem = "no guest member"
			r.Rows = append(r.Rows, row)
			continue
		}
		m := cms[k]
		row.HasC, row.CName, row.COffset, row.CSize, row.CType = true, m.Name, cBase+m.Offset, m.Type.Size, m.Type.CName()
		if row.GoOffset != row.COffset {
			row.Problem = fmt.Sprintf("offset %d != %d", row.GoOffset, row.COffset)
		}
		if p != m.Type.Size {
			row.Problem = join(row.Problem, fmt.Sprintf("size %d != %d", p, m.Type.Size))
		}
		if c := cClass(m.Type); c != h.class {
			row.Problem = join(row.Problem, fmt.Sprintf("Go %s, guest %s", h.class, c))
		}
		r.Rows = append(r.Rows, row)
	}
}

// variant pairs a Go tagged union with a C struct of a tag and a union of
// the cases (or a struct, for a single case).
func (r *Report) variant(gl *layout.Layout, goff uint64, c *Type, coff uint64, depth int) {
	var tag []layout.Field
	var cases []layout.Field
	for _, f := range gl.Fields {
		if f.Tag {
			tag = append(tag, f)
		} else {
			cases = append(cases, f)
		}
	}
	if len(c.Members) < 2 {
		r.fields(gl.Fields, goff, c.Members, coff, depth)
		return
	}
	r.fields(tag, goff, c.Members[:1], coff, depth)
	u := c.Members[1]
	payload := gl.Size
	if len(cases) > 0 {
		payload = cases[0].Offset
	}
	ur := u.Type.Resolve()
	row := Row{Depth: depth, HasGo: true, HasC: true, GoName: "(cases)", GoOffset: goff + payload, GoSize: caseSize(cases), GoType: "union",
		CName: u.Name, COffset: coff + u.Offset, CSize: u.Type.Size, CType: u.Type.CName()}
	if row.GoOffset != row.COffset {
		row.Problem = fmt.Sprintf("offset %d != %d", row.GoOffset, row.COffset)
	}
	switch {
	case ur != nil && ur.Kind == Union:
		if row.GoSize != row.CSize {
			row.Problem = join(row.Problem, fmt.Sprintf("size %d != %d", row.GoSize, row.CSize))
		}
		r.Rows = append(r.Rows, row)
		// Cases sit at the payload offset; union members at 0 in the union.
		r.fields(cases, goff, ur.Members, coff+u.Offset, depth+1)
	default:
		r.fields(cases, goff, c.Members[1:2], coff, depth)
	}
	if len(c.Members) > 2 {
		r.fields(nil, goff, c.Members[2:], coff, depth)
	}
}

// caseSize is the size of a tagged union's payload: its largest case
// rounded up to the cases' alignment.
func caseSize(cases []layout.Field) uint64 {
	var size, align uint64 = 0, 1
	for _, f := range cases {
		size, align = max(size, f.Layout.Size), max(align, f.Layout.Align)
	}
	return (size + align - 1) &^ (align - 1)
}
