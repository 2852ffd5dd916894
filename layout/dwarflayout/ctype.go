package dwarflayout

import (
	"fmt"
	"strings"
)

// Kind says what sort of C type a [Type] is.
type Kind uint8

// The kinds of C types.
const (
	Void     Kind = iota // void, or a type DWARF does not describe
	Base                 // an integer, character, bool or floating-point type
	Pointer              // a pointer
	Struct               // a struct
	Union                // a union
	Enum                 // an enum
	Array                // an array of Count elements
	Typedef              // a typedef of Elem
	Function             // a function type (only ever pointed to)
)

var cKindNames = [...]string{"void", "base", "pointer", "struct", "union", "enum", "array", "typedef", "function"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(cKindNames) {
		return cKindNames[k]
	}
	return "invalid"
}

// Encoding is the representation of a [Base] type.
type Encoding uint8

// The encodings of base types.
const (
	Unsigned Encoding = iota // an unsigned integer or unsigned char
	Signed                   // a signed integer, char or signed char
	Float                    // an IEEE 754 float
	Bool                     // _Bool
)

// Type is a C type as the guest's debug info describes it. Qualifiers
// (const, volatile, restrict, _Atomic) are dropped.
type Type struct {
	// Kind says which of the fields below apply.
	Kind Kind
	// Name is the tag of a struct, union or enum, the name of a typedef
	// or base type, or "" for an anonymous type.
	Name string
	// Size is the size in bytes (for a typedef, of what it names).
	Size uint64
	// Encoding is the representation of a Base type or of an Enum.
	Encoding Encoding
	// ExplicitAlign is the alignment an attribute asked for
	// (DW_AT_alignment), or 0.
	ExplicitAlign uint64
	// Elem is the type pointed to, the array element, the typedef's
	// target or the enum's underlying type; nil for void.
	Elem *Type
	// Count is the element count of an Array (0 for a flexible array).
	Count uint64
	// Members are the members of a Struct or Union, in order.
	Members []Member
	// Enumerators are the cases of an Enum.
	Enumerators []Enumerator
	// Declaration reports a struct, union or enum that is only declared.
	Declaration bool
	// File and Line locate the declaration in the source ("" and 0 when
	// DWARF does not say).
	File string
	Line int
	// PointerSize is the guest pointer size of the compilation unit.
	PointerSize uint64

	align, packedAlign uint64 // memo of alignment; 0 until computed
}

// Member is a member of a C struct or union.
type Member struct {
	// Name is the member name; "" for an anonymous struct or union member.
	Name string
	// Type is the member's type.
	Type *Type
	// Offset is the byte offset from the start of the enclosing type.
	Offset uint64
	// ExplicitAlign is the alignment an attribute asked for, or 0.
	ExplicitAlign uint64
	// BitSize is the width of a bit-field in bits, 0 for other members.
	BitSize uint64
}

// Enumerator is one case of a C enum.
type Enumerator struct {
	Name  string // the enumerator's name
	Value int64  // its value
}

// Resolve returns t with every typedef looked through.
func (t *Type) Resolve() *Type {
	for i := 0; t != nil && t.Kind == Typedef && i < 100; i++ {
		t = t.Elem
	}
	return t
}

// CName returns the type as C spells it: "struct point", "uint32_t",
// "char *", "int[4]" or "union <anonymous>".
func (t *Type) CName() string { return t.cname(0) }

func (t *Type) cname(depth int) string {
	if t == nil {
		return "void"
	}
	if depth > 8 {
		return "..."
	}
	switch t.Kind {
	case Struct, Union, Enum:
		if t.Name == "" {
			return t.Kind.String() + " <anonymous>"
		}
		return t.Kind.String() + " " + t.Name
	case Pointer:
		if t.Elem != nil && t.Elem.Kind == Function {
			return "function pointer"
		}
		return t.Elem.cname(depth+1) + " *"
	case Array:
		dims, e := "", t
		for ; e != nil && e.Kind == Array && len(dims) < 64; e = e.Elem {
			dims += fmt.Sprintf("[%d]", e.Count)
		}
		return e.cname(depth+1) + dims
	case Function:
		return "function"
	}
	if t.Name == "" {
		return t.Kind.String()
	}
	return t.Name
}

// Align returns the C alignment of t. DWARF records an alignment only
// when an attribute asks for one, and never records packing: Align
// computes the natural alignment and lowers it to what packing gives
// when the members' offsets or the size show the type is packed.
func (t *Type) Align() uint64 {
	a, _ := t.alignments(0)
	return a
}

// alignments returns t's alignment and the alignment it would have were
// it packed (equal when packing would change nothing).
func (t *Type) alignments(depth int) (align, packed uint64) {
	if t == nil || depth > 64 {
		return 1, 1
	}
	if t.align != 0 {
		return t.align, t.packedAlign
	}
	switch t.Kind {
	case Typedef:
		align, packed = t.Elem.alignments(depth + 1)
		if t.ExplicitAlign > align {
			align, packed = t.ExplicitAlign, t.ExplicitAlign
		}
		return align, packed
	case Base, Enum:
		align = max(1, t.Size)
		if align&(align-1) != 0 {
			align = 1 // no base type has a size that is not a power of two
		}
	case Pointer:
		align = max(1, t.PointerSize)
	case Array:
		align, _ = t.Elem.alignments(depth + 1)
	case Struct, Union:
		t.align, t.packedAlign = 1, 1 // in progress: a cycle (bad DWARF) stops here
		natural, explicit := uint64(1), t.ExplicitAlign
		misplaced := false
		for _, m := range t.Members {
			ma, _ := m.Type.alignments(depth + 1)
			ma = max(ma, m.ExplicitAlign)
			natural = max(natural, ma)
			explicit = max(explicit, m.ExplicitAlign)
			if m.BitSize == 0 && m.Offset%ma != 0 {
				misplaced = true
			}
		}
		align = max(natural, t.ExplicitAlign)
		packed = max(1, explicit)
		if misplaced || t.Size%align != 0 {
			align = packed
		}
		t.align, t.packedAlign = align, packed
		return align, packed
	default:
		align = 1
	}
	t.align, t.packedAlign = align, align
	return align, align
}

// AlignRange returns the alignments t may have, as far as DWARF can
// tell: lo if it is packed, hi if it is not (equal when packing would
// change nothing, or an attribute fixes the alignment).
func (t *Type) AlignRange() (lo, hi uint64) {
	return t.alignRange(0, map[*Type]bool{})
}

func (t *Type) alignRange(depth int, open map[*Type]bool) (lo, hi uint64) {
	if t == nil || depth > 64 || open[t] {
		return 1, 1
	}
	switch t.Kind {
	case Typedef, Array:
		lo, hi = t.Elem.alignRange(depth+1, open)
		if e := t.ExplicitAlign; t.Kind == Typedef && e > 0 {
			lo, hi = max(lo, e), max(hi, e)
		}
		return lo, hi
	case Struct, Union:
		open[t] = true
		defer delete(open, t)
		lo, hi = max(1, t.ExplicitAlign), max(1, t.ExplicitAlign)
		for _, m := range t.Members {
			// A member's DW_AT_alignment may be its type's, which packing
			// overrides: it bounds the alignment only from above.
			_, mh := m.Type.alignRange(depth+1, open)
			hi = max(hi, mh, m.ExplicitAlign)
		}
		return lo, hi
	}
	a := t.Align()
	return a, a
}

// members returns the members of a struct or union, after typedefs.
func (t *Type) members() []Member {
	if r := t.Resolve(); r != nil {
		return r.Members
	}
	return nil
}

// String returns a pahole-style table of the type: each member with its
// offset, size and C type, nested structs and unions expanded, and a row
// for every padding hole.
func (t *Type) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  guest DWARF  size %d  align %d\n", t.CName(), t.Size, t.Align())
	b.WriteString("offset  size  member                     C type\n")
	r := t.Resolve()
	if r == nil || (r.Kind != Struct && r.Kind != Union) {
		fmt.Fprintf(&b, "%6d  %4d  %-26s %s\n", 0, t.Size, "", t.CName())
		return b.String()
	}
	writeMembers(&b, r, 0, 0, map[*Type]bool{})
	return b.String()
}

// writeMembers writes the rows of t's members; open holds the types being
// expanded, so that a type that contains itself (bad DWARF) stops.
func writeMembers(b *strings.Builder, t *Type, base uint64, depth int, open map[*Type]bool) {
	var end uint64
	if depth > 16 || open[t] {
		return
	}
	open[t] = true
	defer delete(open, t)
	for _, m := range t.Members {
		if m.Offset > end && t.Kind == Struct {
			fmt.Fprintf(b, "%6d  %4d  %-26s /* %d-byte hole */\n", base+end, m.Offset-end, strings.Repeat("  ", depth), m.Offset-end)
		}
		name := m.Name
		if m.BitSize > 0 {
			name += fmt.Sprintf(":%d", m.BitSize)
		}
		fmt.Fprintf(b, "%6d  %4d  %-26s %s\n", base+m.Offset, m.Type.Size, strings.Repeat("  ", depth)+name, m.Type.CName())
		if r := m.Type.Resolve(); r != nil && (r.Kind == Struct || r.Kind == Union) && m.BitSize == 0 {
			writeMembers(b, r, base+m.Offset, depth+1, open)
		}
		end = max(end, m.Offset+m.Type.Size)
	}
	if t.Size > end {
		fmt.Fprintf(b, "%6d  %4d  %-26s /* %d-byte hole */\n", base+end, t.Size-end, strings.Repeat("  ", depth), t.Size-end)
	}
}
